import { describe, expect, it } from 'vitest';
import { dayOf, progressRows, progressSummary } from '../src/lib/rewards/progress';

describe('progressRows', () => {
	it('makes one row a day at local midnight, with my points and my place’s', () => {
		const rows = progressRows(['2026-03-30', '2026-03-31', '2026-04-01'], [0, 10, 15], [5, 20, 42]);
		expect(rows.map((r) => [r.date.getFullYear(), r.date.getMonth(), r.date.getDate(), r.date.getHours()])).toEqual([
			[2026, 2, 30, 0],
			[2026, 2, 31, 0],
			[2026, 3, 1, 0]
		]);
		expect(rows.map((r) => [r.me, r.place])).toEqual([
			[0, 5],
			[10, 20],
			[15, 42]
		]);
	});

	it('leaves the place out when I have none, and fills short series with zero', () => {
		const rows = progressRows(['2026-01-01', '2026-01-02'], [3], null);
		expect(rows.map((r) => ('place' in r ? 'has place' : r.me))).toEqual([3, 0]);
	});
});

describe('progressSummary', () => {
	it('gives the total and what the last day added, reversals included', () => {
		expect(progressSummary([5, 12, 10])).toEqual({ total: 10, today: -2 });
		expect(progressSummary([7])).toEqual({ total: 7, today: 7 });
		expect(progressSummary([])).toEqual({ total: 0, today: 0 });
	});

	it('parses a day without a time zone shift', () => {
		expect(dayOf('2026-12-31').getDate()).toBe(31);
	});
});
