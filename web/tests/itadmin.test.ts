import { describe, expect, it } from 'vitest';
import { actionLabel, auditQuery, detailPairs, filtersFrom, filtersSearch, importFraction, NO_FILTERS, roleLabel } from '../src/lib/itadmin/audit';
import { importType } from '../src/lib/itadmin/upload';

describe('audit filters', () => {
	it('leaves blank filters out and keeps the page size', () => {
		expect(auditQuery(NO_FILTERS)).toEqual({ limit: 50 });
		expect(auditQuery({ ...NO_FILTERS, action: '  ' }, null, 20)).toEqual({ limit: 20 });
	});

	it('turns the form into the API query', () => {
		const query = auditQuery({ action: 'hr.', actor: ' 12 ', target: 'employee:7', from: '', to: '' }, 40);
		expect(query).toEqual({ limit: 50, action: 'hr.', actor_id: 12, target: 'employee:7', before: 40 });
	});

	it('ignores a person that is not an id', () => {
		expect(auditQuery({ ...NO_FILTERS, actor: 'anna' }).actor_id).toBeUndefined();
		expect(auditQuery({ ...NO_FILTERS, actor: '-3' }).actor_id).toBeUndefined();
	});

	it('includes the whole last day of a date range', () => {
		const query = auditQuery({ ...NO_FILTERS, from: '2026-03-01', to: '2026-03-01' });
		const since = new Date(query.since!);
		const until = new Date(query.until!);
		expect(until.getTime() - since.getTime()).toBeGreaterThanOrEqual(23 * 3600 * 1000);
		expect(until.getTime() - since.getTime()).toBeLessThanOrEqual(25 * 3600 * 1000);
		expect(since.getDate()).toBe(1);
		expect(until.getDate()).toBe(2);
	});

	it('ignores a date that is not one', () => {
		expect(auditQuery({ ...NO_FILTERS, from: 'yesterday' }).since).toBeUndefined();
	});

	it('round-trips filters through the address', () => {
		const filters = { action: 'employee.deactivate', actor: '3', target: '', from: '2026-01-02', to: '' };
		const search = filtersSearch(filters);
		expect(search).toBe('?action=employee.deactivate&actor=3&from=2026-01-02');
		expect(filtersFrom(new URLSearchParams(search))).toEqual(filters);
		expect(filtersSearch(NO_FILTERS)).toBe('');
	});
});

describe('audit rows', () => {
	it('names known actions and shows unknown codes as they are', () => {
		expect(actionLabel('employee.role.change')).toBe('Role changed');
		expect(actionLabel('shop.item.update')).toBe('shop.item.update');
	});

	it('shows details as short pairs', () => {
		expect(detailPairs({ from: 'employee', to: 'comms', sessions_ended: 2, tokens: true, note: null })).toEqual([
			['from', 'employee'],
			['to', 'comms'],
			['sessions_ended', '2'],
			['tokens', 'true'],
			['note', '—']
		]);
	});

	it('names roles', () => {
		expect(roleLabel('comms')).toBe('Comms team');
		expect(roleLabel('robot')).toBe('robot');
	});
});

describe('HR import', () => {
	it('measures progress', () => {
		expect(importFraction(null, 10)).toBeNull();
		expect(importFraction(5, undefined)).toBeNull();
		expect(importFraction(5, 10)).toBe(0.5);
		expect(importFraction(0, 0)).toBe(1);
		expect(importFraction(12, 10)).toBe(1);
	});

	it('takes CSV and JSON files only', () => {
		expect(importType({ name: 'staff.CSV', type: '' })).toBe('text/csv');
		expect(importType({ name: 'export', type: 'application/json' })).toBe('application/json');
		expect(importType({ name: 'staff.xlsx', type: 'application/vnd.ms-excel' })).toBeNull();
	});
});
