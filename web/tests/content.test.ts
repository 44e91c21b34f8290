import { describe, expect, it } from 'vitest';
import { addDays, headline, move, percent, postIdFrom } from '../src/lib/content/content';

describe('content helpers', () => {
	it('takes the first line of a post as its headline', () => {
		expect(headline('\n\n# Big news\nmore')).toBe('Big news');
		expect(headline('x'.repeat(100), 10)).toBe('xxxxxxxxx…');
		expect(headline('')).toBe('');
	});

	it('moves an item within a list and never out of it', () => {
		expect(move([1, 2, 3], 0, 1)).toEqual([2, 1, 3]);
		expect(move([1, 2, 3], 2, -1)).toEqual([1, 3, 2]);
		expect(move([1, 2, 3], 0, -1)).toEqual([1, 2, 3]);
		expect(move([1, 2, 3], 2, 1)).toEqual([1, 2, 3]);
	});

	it('computes whole per cents, zero for an empty audience', () => {
		expect(percent(1, 3)).toBe(33);
		expect(percent(3, 3)).toBe(100);
		expect(percent(0, 0)).toBe(0);
	});

	it('reads a post number from a link or a number', () => {
		expect(postIdFrom('42')).toBe(42);
		expect(postIdFrom('#42')).toBe(42);
		expect(postIdFrom('https://plaza.example/posts/42')).toBe(42);
		expect(postIdFrom('/posts/7/?x=1')).toBe(7);
		expect(postIdFrom('hello')).toBeNull();
		expect(postIdFrom('0')).toBeNull();
	});

	it('adds days across months', () => {
		expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
	});
});
