import { describe, expect, it } from 'vitest';
import { mergeTop, sameTop, type Place } from '../src/lib/rewards/boards';

const board: Place[] = [
	{ id: '1', rank: 1, points: 50, name: 'Ann' },
	{ id: '2', rank: 2, points: 40, name: 'Bob' },
	{ id: '3', rank: 3, points: 30, name: 'Cat' },
	{ id: '4', rank: 4, points: 20, name: 'Dan' }
];

describe('mergeTop', () => {
	it('takes the new ranks and points, keeps the names, and says who moved up', () => {
		const merged = mergeTop(board, [
			{ id: '3', rank: 1, points: 60 },
			{ id: '1', rank: 2, points: 50 },
			{ id: '2', rank: 3, points: 40 }
		]);
		expect(merged.top.map((p) => [p.id, p.rank, p.points, p.name])).toEqual([
			['3', 1, 60, 'Cat'],
			['1', 2, 50, 'Ann'],
			['2', 3, 40, 'Bob'],
			['4', 4, 20, 'Dan']
		]);
		expect(merged.movedUp).toEqual(['3']);
		expect(merged.needsReload).toBe(false);
	});

	it('drops a place pushed out of the visible top and asks for a reload for a newcomer', () => {
		const merged = mergeTop(board.slice(0, 2), [
			{ id: '9', rank: 1, points: 70 },
			{ id: '1', rank: 2, points: 50 }
		]);
		expect(merged.top.map((p) => p.id)).toEqual(['9', '1']);
		expect(merged.movedUp).toEqual(['9']);
		expect(merged.needsReload).toBe(true);
	});

	it('keeps ties in rank order and does not highlight places that did not move', () => {
		const merged = mergeTop(board, [
			{ id: '1', rank: 1, points: 55 },
			{ id: '2', rank: 2, points: 40 }
		]);
		expect(merged.top.map((p) => p.points)).toEqual([55, 40, 30, 20]);
		expect(merged.movedUp).toEqual([]);
	});

	it('an empty board takes the whole event', () => {
		const merged = mergeTop([], [{ id: '5', rank: 1, points: 3 }]);
		expect(merged.top).toEqual([{ id: '5', rank: 1, points: 3 }]);
		expect(merged.needsReload).toBe(true);
	});
});

describe('sameTop', () => {
	it('recognises the same event applied twice', () => {
		expect(sameTop(board, [{ id: '1', rank: 1, points: 50 }])).toBe(true);
		expect(sameTop(board, [{ id: '1', rank: 1, points: 51 }])).toBe(false);
		expect(sameTop([], [{ id: '1', rank: 1, points: 50 }])).toBe(false);
	});
});
