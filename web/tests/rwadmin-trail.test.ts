import { describe as group, expect, it } from 'vitest';
import { describe, peopleToName, targetId, type TrailEntry } from '../src/lib/rwadmin/trail';

function entry(fields: Partial<TrailEntry>): TrailEntry {
	return {
		seq: 7,
		at: '2026-03-03T10:00:00+00:00',
		actor_id: 3,
		actor_name: 'Clara Comms',
		action: 'grant.spins',
		target: 'employee:12',
		target_name: 'Ann Employee',
		detail: {},
		...fields
	};
}

group('describe', () => {
	it('says what a grant gave to whom, and why', () => {
		const said = describe(entry({ detail: { currency: 'spins', amount: 2, reason: 'best store of May' } }));
		expect(said.what).toBe('gave 2 spins to Ann Employee');
		expect(said.why).toBe('best store of May');
	});

	it('names an item by its title and lists what a change touched', () => {
		const said = describe(
			entry({ action: 'shop.item.update', target: 'shop_item:cinema', target_name: null, detail: { changes: { price: [30, 40], title: [{}, {}] }, add_stock: 2 } }),
			{ items: { cinema: 'Cinema ticket' } }
		);
		expect(said.what).toBe('changed Cinema ticket');
		expect(said.changes).toBe('Changed: price, name · added 2 of Cinema ticket to stock');
	});

	it('says what a new item costs and how many came in', () => {
		const said = describe(
			entry({ action: 'shop.item.create', target: 'shop_item:cinema', target_name: null, detail: { changes: { title: { en: 'Cinema ticket' }, price: 25 }, add_stock: 3 } })
		);
		expect(said.what).toBe('added Cinema ticket to the shop at 25 points');
		expect(said.changes).toBe('added 3 of Cinema ticket to stock');
	});

	it('says who an order was for from the names it is given, with the note', () => {
		const said = describe(
			entry({ action: 'redemption.reject', target: 'redemption:ab12', target_name: null, detail: { user_id: 12, item_id: 'cinema', note: 'closed' } }),
			{ items: { cinema: 'Cinema ticket' }, people: { '12': 'Ann' } }
		);
		expect(said.what).toBe('refused Cinema ticket for Ann');
		expect(said.why).toBe('closed');
	});

	it('reads allowances: the default, no limit, one manager by name', () => {
		expect(describe(entry({ action: 'allowance.set', target: 'allowance:kudos', target_name: null, detail: { from: null, to: 0 } })).what).toBe(
			'set kudos a month to no limit (was the default)'
		);
		expect(describe(entry({ action: 'allowance.set', target: 'allowance:manager', target_name: null, detail: { from: 100, to: 50 } })).what).toBe(
			"set every manager's allowance to 50 points (was 100 points)"
		);
		const one = entry({ action: 'allowance.set', target: 'allowance:manager:5', target_name: null, detail: { from: null, to: 20 } });
		expect(describe(one, { people: { '5': 'Lea' } }).what).toBe('set the allowance of Lea to 20 points (was the default)');
		expect(peopleToName([one, entry({ action: 'redemption.approve', detail: { user_id: 9 } })])).toEqual([5, 9]);
	});

	it('still says something about an action it does not know', () => {
		expect(describe(entry({ action: 'shop.something', target: 'x:1' })).what).toBe('did shop.something on x:1');
		expect(targetId('prize:mug')).toBe('mug');
	});
});
