import { afterEach, describe, expect, it } from 'vitest';
import { requestedLine } from '../src/lib/comms/rules';
import { applyTop, countdown, ordinal, pinned, placeOf, sameTop, tickEvery, timeLeft } from '../src/lib/contests/standings';
import type { StandingRow } from '../src/lib/contests/types';
import { lastMonth, startOf } from '../src/lib/contests/window';
import { setLocale } from '../src/lib/paraglide/runtime.js';

function row(id: string, place: number, score: number, extra: Partial<StandingRow> = {}): StandingRow {
	return {
		place,
		participant: { kind: 'store', id, name: `Store ${id}`, avatar_url: null },
		score,
		raw_score: score,
		heads: null,
		reached_at: null,
		tie: false,
		winner: false,
		is_me: false,
		...extra
	};
}

const board = [row('a', 1, 50), row('b', 2, 40), row('c', 3, 30), row('d', 4, 20), row('e', 5, 10)];

afterEach(() => setLocale('en', { reload: false }));

describe('applyTop (a live contest.standings)', () => {
	it('takes the new places, keeps the rows below, marks my row and who moved up', () => {
		const mine = row('c', 3, 30, { is_me: true });
		const applied = applyTop(board, [row('c', 1, 60), row('a', 2, 50), row('b', 3, 40)], mine);
		expect(applied.rows.map((r) => [r.participant.id, r.place, r.score, r.is_me])).toEqual([
			['c', 1, 60, true],
			['a', 2, 50, false],
			['b', 3, 40, false],
			['d', 4, 20, false],
			['e', 5, 10, false]
		]);
		expect(applied.movedUp).toEqual(['store:c']);
	});

	it('drops a row pushed out of the top (its place is unknown) and welcomes a newcomer', () => {
		const applied = applyTop(board.slice(0, 3), [row('z', 1, 70), row('a', 2, 50)], null);
		expect(applied.rows.map((r) => r.participant.id)).toEqual(['z', 'a', 'c']);
		expect(applied.movedUp).toEqual(['store:z']);
	});

	it('keeps a tie as the server ranked it (who reached the score first)', () => {
		const applied = applyTop(board, [row('b', 1, 50, { tie: true }), row('a', 2, 50, { tie: true })], null);
		expect(applied.rows.slice(0, 2).map((r) => [r.participant.id, r.place, r.tie])).toEqual([
			['b', 1, true],
			['a', 2, true]
		]);
	});

	it('a person and a store with the same id are different participants', () => {
		const person = { ...row('a', 1, 99), participant: { kind: 'person' as const, id: 'a', name: 'Ann', avatar_url: null } };
		const applied = applyTop([person], [row('a', 1, 5)], null);
		expect(applied.rows.map((r) => r.participant.kind)).toEqual(['store']);
	});

	it('sameTop recognises the same event twice', () => {
		expect(sameTop(board, [row('a', 1, 50), row('b', 2, 40)])).toBe(true);
		expect(sameTop(board, [row('a', 1, 51)])).toBe(false);
		expect(sameTop(board.slice(0, 1), [row('a', 1, 50), row('b', 2, 40)])).toBe(false);
	});
});

describe('my row', () => {
	it('is pinned below only when the rows on screen do not include it', () => {
		expect(pinned(board, row('c', 3, 30))).toBeNull();
		expect(pinned(board, row('q', 40, 1))?.participant.id).toBe('q');
		expect(pinned(board, null)).toBeNull();
	});
});

describe('places in words', () => {
	it('English ordinals', () => {
		expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101].map((p) => placeOf(p, 17))).toEqual([
			'1st of 17',
			'2nd of 17',
			'3rd of 17',
			'4th of 17',
			'11th of 17',
			'12th of 17',
			'13th of 17',
			'21st of 17',
			'22nd of 17',
			'23rd of 17',
			'101st of 17'
		]);
		expect(ordinal(2)).toBe('2nd place');
	});

	it('Russian', () => {
		setLocale('ru', { reload: false });
		expect(placeOf(4, 17)).toBe('4-е место из 17');
		expect(ordinal(1)).toBe('1-е место');
	});
});

describe('countdown', () => {
	const now = new Date('2026-12-06T12:00:00Z');
	it('shows the two largest units that matter', () => {
		expect(countdown('2026-12-09T16:30:00Z', now)).toBe('3 d 4 h');
		expect(countdown('2026-12-06T16:12:30Z', now)).toBe('4 h 12 min');
		expect(countdown('2026-12-06T12:12:05Z', now)).toBe('12 min 5 s');
		expect(countdown('2026-12-06T12:00:05Z', now)).toBe('5 s');
	});

	it('never goes below zero', () => {
		expect(timeLeft('2026-12-06T11:00:00Z', now)).toEqual({ days: 0, hours: 0, minutes: 0, seconds: 0 });
		expect(countdown('2026-12-06T11:00:00Z', now)).toBe('0 s');
	});

	it('ticks every second in the last hour, else every minute', () => {
		expect(tickEvery('2026-12-06T12:30:00Z', now)).toBe(1000);
		expect(tickEvery('2026-12-07T12:00:00Z', now)).toBe(60_000);
	});

	it('in Russian', () => {
		setLocale('ru', { reload: false });
		expect(countdown('2026-12-09T16:30:00Z', now)).toBe('3 дн. 4 ч');
	});
});

describe('the dry run window', () => {
	it('defaults to last month, across a new year too', () => {
		expect(lastMonth(new Date(2026, 11, 6))).toEqual({ since: '2026-11-01', until: '2026-12-01' });
		expect(lastMonth(new Date(2027, 0, 15))).toEqual({ since: '2026-12-01', until: '2027-01-01' });
	});

	it('sends a date as the start of that day, nothing for an empty input', () => {
		expect(startOf('2026-11-01')).toBe('2026-11-01T00:00');
		expect(startOf('')).toBeNull();
	});
});

describe('the rule editor link', () => {
	const text = ['rules:', '  - id: december_stores', '    on: post.created', 'contests:', '  - id: other', '    title: x', '  - id: december_stores', '    title: y'].join('\n');

	it('finds a contest in the contests section, not a rule with the same id', () => {
		expect(requestedLine(text, new URLSearchParams('contest=december_stores'))).toBe(7);
		expect(requestedLine(text, new URLSearchParams('contest=nope'))).toBeNull();
	});

	it('takes a line number, kept inside the text', () => {
		expect(requestedLine(text, new URLSearchParams('line=3'))).toBe(3);
		expect(requestedLine(text, new URLSearchParams('line=99'))).toBe(8);
		expect(requestedLine(text, new URLSearchParams(''))).toBeNull();
	});
});

describe('the prize notification', () => {
	afterEach(() => setLocale('en', { reload: false }));

	it('says which place in which contest, in the reader\'s language, and links to the contest', async () => {
		const { describe: describeNote } = await import('../src/lib/notify/describe');
		const text = { en: '1st of 17 stores in the contest “December”', ru: '1-е место из 17 магазинов в конкурсе «Декабрь»' };
		const n = { id: 1, kind: 'contest.prize', payload: { contest_id: 'dec race', text, points: 300 }, actor: null, read_at: null, created_at: '2026-12-07T00:00:00Z' };
		setLocale('en', { reload: false });
		expect(describeNote(n as never)).toMatchObject({ text: 'Your prize: 1st of 17 stores in the contest “December”', href: '/contests/dec%20race', icon: 'badge' });
		setLocale('ru', { reload: false });
		expect(describeNote(n as never).text).toBe('Ваш приз: 1-е место из 17 магазинов в конкурсе «Декабрь»');
	});
});
