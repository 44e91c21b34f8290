import { describe, expect, it } from 'vitest';
import { amountText, boardPeriod, pick, shown, why, type Change } from '../src/lib/rewards/text';
import { setLocale } from '../src/lib/paraglide/runtime.js';

function change(fields: Partial<Change>): Change {
	return {
		id: 't1',
		kind: 'award',
		currency: 'points',
		amount: 10,
		at: '2026-03-03T10:00:00+00:00',
		created_at: '2026-03-03T10:00:05+00:00',
		rule_id: 'comment',
		title: { en: 'A thoughtful comment', ru: 'Содержательный комментарий' },
		because: '',
		event_id: 'e1',
		reverses: null,
		ruleset: 3,
		source: { type: 'comment.created', at: '2026-03-03T10:00:00+00:00', post_id: 41, calendar_event_id: null },
		...fields
	};
}

describe('why', () => {
	it('says the rule, the ruleset and what earned it, linked', () => {
		const w = why(change({}));
		expect(w.amount).toBe('+10 points');
		expect(w.title).toBe('A thoughtful comment');
		expect(w.ruleset).toBe('ruleset v3');
		expect(w.source).toBe('for your comment of 3 March');
		expect(w.href).toBe('/posts/41');
		expect(w.tone).toBe('gain');
	});

	it('shows a reversal as taken back, not linked to a deleted post', () => {
		const w = why(
			change({
				kind: 'reversal',
				amount: -20,
				title: { en: 'Your first post' },
				reverses: 't0',
				source: { type: 'post.deleted', at: '2026-03-04T09:00:00+00:00', post_id: 41, calendar_event_id: null }
			})
		);
		expect(w.amount).toBe('−20 points');
		expect(w.title).toBe('Taken back: Your first post');
		expect(w.source).toBe('your post was deleted, 4 March');
		expect(w.href).toBeNull();
		expect(w.tone).toBe('loss');
	});

	it('names grants, spins and shop moves; a spent hold is not counted twice', () => {
		const none = { rule_id: null, title: {}, ruleset: null, source: null, event_id: null };
		expect(why(change({ ...none, kind: 'grant', because: 'Welcome' })).title).toBe('From the comms team: Welcome');
		const spin = why(change({ ...none, kind: 'spin', currency: 'spins', amount: -1 }));
		expect([spin.amount, spin.title, spin.href]).toEqual(['−1 spin', 'A spin of the wheel', '/wheel']);
		const spent = why(change({ ...none, kind: 'shop_complete', amount: -60, because: 'complete lunch' }), { lunch: 'Lunch' });
		expect([spent.amount, spent.title, spent.tone]).toEqual(['60 points', 'Spent in the shop: Lunch', 'neutral']);
		const back = why(change({ ...none, kind: 'shop_release', amount: 60, because: 'release lunch' }));
		expect(back.title).toBe('Given back: your request for lunch was declined');
	});

	it('says a contest prize in the reader\'s language, not the ledger\'s English record', () => {
		const none = { rule_id: null, ruleset: null, source: null, event_id: null };
		const prize = change({
			...none,
			kind: 'contest',
			title: { en: '1st of 17 stores in the contest “December”', ru: '1-е место из 17 магазинов в конкурсе «Декабрь»' },
			because: '1st of 17 stores in the contest “December”'
		});
		setLocale('ru', { reload: false });
		try {
			expect(why(prize).title).toBe('1-е место из 17 магазинов в конкурсе «Декабрь»');
		} finally {
			setLocale('en', { reload: false });
		}
		expect(why(prize).title).toBe('1st of 17 stores in the contest “December”');
		expect(why(prize).href).toBe('/contests?when=past');
	});

	it('links an event reward to the event', () => {
		const w = why(change({ source: { type: 'event.attended', at: '2026-03-05T18:00:00+00:00', post_id: null, calendar_event_id: 7 } }));
		expect(w.href).toBe('/events/7');
		expect(w.source).toBe('for an event, 5 March');
	});
});

describe('helpers', () => {
	it('shows points, spins and prizes, not the shop items moving between its own accounts', () => {
		expect(shown({ currency: 'points' })).toBe(true);
		expect(shown({ currency: 'prize:mug' })).toBe(true);
		expect(shown({ currency: 'item:lunch' })).toBe(false);
		expect(amountText('prize:mug', 1)).toBe('+1 prize');
	});

	it('picks the reader language, then English, then any', () => {
		expect(pick({ en: 'Mug', ru: 'Кружка' })).toBe('Mug');
		expect(pick({ de: 'Becher' })).toBe('Becher');
		expect(pick(null, 'mug')).toBe('mug');
	});

	it('names a board period', () => {
		expect(boardPeriod('week', '2026-11-30')).toMatch(/^30 Nov\s–\s6 Dec 2026$/);
		expect(boardPeriod('month', '2026-12')).toBe('December 2026');
		expect(boardPeriod('quarter', '2026-Q4')).toBe('Q4 2026');
		expect(boardPeriod('all', 'all')).toBeNull();
	});
});
