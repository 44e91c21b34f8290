import { describe, expect, it } from 'vitest';
import { change, direction, presetRange, sortRows, type Row } from '../src/lib/analytics/dashboard';
import { NEW_VISIT_AFTER_MS, startsNewVisit } from '../src/lib/analytics/visits';

describe('analytics periods', () => {
	const today = new Date(2026, 11, 6); // 6 December 2026
	it('counts the preset days back from today, today included', () => {
		expect(presetRange('7', today)).toEqual({ from: '2026-11-30', to: '2026-12-06' });
		expect(presetRange('30', today)).toEqual({ from: '2026-11-07', to: '2026-12-06' });
	});
	it('starts months, quarters and years on their first day', () => {
		expect(presetRange('month', today).from).toBe('2026-12-01');
		expect(presetRange('quarter', today).from).toBe('2026-10-01');
		expect(presetRange('quarter', new Date(2026, 1, 3)).from).toBe('2026-01-01');
		expect(presetRange('year', today).from).toBe('2026-01-01');
	});
});

describe('changes against the previous period', () => {
	it('is a fraction of the period before, or unknown when there was nothing', () => {
		expect(change(150, 100)).toBeCloseTo(0.5);
		expect(change(50, 100)).toBeCloseTo(-0.5);
		expect(change(0, 0)).toBe(0);
		expect(change(10, 0)).toBeNull();
		expect(direction(0.2)).toBe('up');
		expect(direction(-0.2)).toBe('down');
		expect(direction(0.001)).toBe('flat');
		expect(direction(null)).toBe('flat');
	});
});

describe('sorting a breakdown', () => {
	const rows: Row[] = [
		{ key: '~others', name: '', values: { active: 90 } },
		{ key: '1', name: 'Arbat', values: { active: 10 } },
		{ key: '2', name: 'Nevsky', values: { active: 30 } },
		{ key: '3', name: 'Baumana', values: { active: 10 } }
	];
	it('orders by the column either way and keeps the merged small groups last', () => {
		expect(sortRows(rows, 'active', true).map((r) => r.key)).toEqual(['2', '1', '3', '~others']);
		expect(sortRows(rows, 'active', false).map((r) => r.key)).toEqual(['1', '3', '2', '~others']);
	});
});

describe('visits', () => {
	it('starts a new visit only after half an hour out of sight', () => {
		expect(startsNewVisit(null, 1_000)).toBe(false);
		expect(startsNewVisit(0, NEW_VISIT_AFTER_MS - 1)).toBe(false);
		expect(startsNewVisit(0, NEW_VISIT_AFTER_MS)).toBe(true);
	});
});
