import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { debounced, insertMention, mentionAt, mentionSyntax, moveActive } from '../src/lib/compose/mentions';
import { firstUnseen, nextPosition, previousPosition, type Ring } from '../src/lib/stories/stories.svelte';

describe('the mention being typed at the caret', () => {
	it('finds "@" and the letters up to the caret', () => {
		expect(mentionAt('Hello @ann', 10)).toEqual({ start: 6, query: 'ann' });
		expect(mentionAt('@ann', 4)).toEqual({ start: 0, query: 'ann' });
		// The caret in the middle: only what is before it counts.
		expect(mentionAt('Hi @anna there', 6)).toEqual({ start: 3, query: 'an' });
	});

	it('lets a name have single spaces, in any script', () => {
		expect(mentionAt('thanks @Анна Ив', 15)).toEqual({ start: 7, query: 'Анна Ив' });
		expect(mentionAt('(@Anna', 6)).toEqual({ start: 1, query: 'Anna' });
	});

	it('is just "@" with an empty query right after typing it', () => {
		expect(mentionAt('Hi @', 4)).toEqual({ start: 3, query: '' });
	});

	it('ignores e-mail addresses, finished mentions, line breaks and double spaces', () => {
		expect(mentionAt('mail anna@example.com', 21)).toBeNull();
		expect(mentionAt('@[Anna](person:3) and', 21)).toBeNull();
		expect(mentionAt('@anna\nnext', 10)).toBeNull();
		expect(mentionAt('@anna  x', 8)).toBeNull();
		expect(mentionAt('@ anna', 6)).toBeNull();
		expect(mentionAt('no mention here', 15)).toBeNull();
		expect(mentionAt('@' + 'a'.repeat(41), 42)).toBeNull();
	});

	it('refuses a caret outside the text', () => {
		expect(mentionAt('@ann', 9)).toBeNull();
		expect(mentionAt('@ann', -1)).toBeNull();
	});
});

describe('inserting a picked mention', () => {
	const anna = { kind: 'person', id: 12, name: 'Anna Ivanova' };

	it('writes the syntax the server links', () => {
		expect(mentionSyntax(anna)).toBe('@[Anna Ivanova](person:12)');
		expect(mentionSyntax({ kind: 'store', id: 3, name: 'Store [Central]\n' })).toBe('@[Store Central](store:3)');
	});

	it('replaces "@query" with the mention and a space, and puts the caret after it', () => {
		const text = 'Thanks @ann for the help';
		const caret = 11;
		const query = mentionAt(text, caret)!;
		const result = insertMention(text, query, caret, anna);
		expect(result.text).toBe('Thanks @[Anna Ivanova](person:12) for the help');
		expect(result.caret).toBe('Thanks @[Anna Ivanova](person:12) '.length);
	});

	it('adds a space at the end of the text', () => {
		const result = insertMention('Hi @an', { start: 3, query: 'an' }, 6, { kind: 'group', id: 5, name: 'Runners' });
		expect(result.text).toBe('Hi @[Runners](group:5) ');
		expect(result.caret).toBe(result.text.length);
	});
});

describe('moving through the suggestions', () => {
	it('wraps at both ends and starts at the right end', () => {
		expect(moveActive(-1, 3, 1)).toBe(0);
		expect(moveActive(-1, 3, -1)).toBe(2);
		expect(moveActive(2, 3, 1)).toBe(0);
		expect(moveActive(0, 3, -1)).toBe(2);
		expect(moveActive(0, 0, 1)).toBe(-1);
	});
});

describe('asking the server while typing', () => {
	beforeEach(() => vi.useFakeTimers());
	afterEach(() => vi.useRealTimers());

	it('asks once after a pause, and only the newest answer is applied', async () => {
		const asked: string[] = [];
		const applied: string[] = [];
		const search = debounced(
			async (q: string) => {
				asked.push(q);
				return q.toUpperCase();
			},
			(result) => applied.push(result),
			200
		);
		search.run('a');
		search.run('an');
		search.run('ann');
		await vi.advanceTimersByTimeAsync(250);
		expect(asked).toEqual(['ann']);
		expect(applied).toEqual(['ANN']);
	});

	it('drops a slow answer when a newer query was asked', async () => {
		const applied: string[] = [];
		let release: (v: string) => void = () => {};
		const search = debounced(
			(q: string) => (q === 'slow' ? new Promise<string>((r) => (release = r)) : Promise.resolve(q)),
			(result) => applied.push(result),
			10
		);
		search.run('slow');
		await vi.advanceTimersByTimeAsync(20);
		search.run('fast');
		await vi.advanceTimersByTimeAsync(20);
		release('slow');
		await vi.advanceTimersByTimeAsync(0);
		expect(applied).toEqual(['fast']);
	});

	it('tells the caller why it failed, and cancel stops a pending question', async () => {
		const failures: unknown[] = [];
		const applied: string[] = [];
		const search = debounced(
			async () => {
				throw new Error('refused');
			},
			(r: string) => applied.push(r),
			10,
			(e) => failures.push(e)
		);
		search.run('x');
		await vi.advanceTimersByTimeAsync(20);
		expect(failures).toHaveLength(1);
		search.run('y');
		search.cancel();
		await vi.advanceTimersByTimeAsync(20);
		expect(failures).toHaveLength(1);
		expect(applied).toEqual([]);
	});
});

describe('walking through stories', () => {
	const story = (id: number, seen = false) => ({
		id,
		author_id: 1,
		kind: 'text',
		text: '',
		background: '#000000',
		image_url: null,
		pinned: false,
		created_at: '',
		expires_at: '',
		seen
	});
	const rings: Ring[] = [
		{ author: { id: 1, name: 'A' }, pinned: false, all_seen: false, stories: [story(1, true), story(2)] },
		{ author: { id: 2, name: 'B' }, pinned: false, all_seen: false, stories: [story(3, true), story(4), story(5)] }
	];

	it('goes to the next story, then to the next ring at its first unseen, then ends', () => {
		expect(nextPosition(rings, { ring: 0, story: 0 })).toEqual({ ring: 0, story: 1 });
		expect(nextPosition(rings, { ring: 0, story: 1 })).toEqual({ ring: 1, story: 1 });
		expect(nextPosition(rings, { ring: 1, story: 2 })).toBeNull();
	});

	it('goes back within a ring, then to the previous ring', () => {
		expect(previousPosition(rings, { ring: 1, story: 1 })).toEqual({ ring: 1, story: 0 });
		expect(previousPosition(rings, { ring: 1, story: 0 })).toEqual({ ring: 0, story: 0 });
		expect(previousPosition(rings, { ring: 0, story: 0 })).toBeNull();
	});

	it('starts a ring at its first unseen story', () => {
		expect(firstUnseen(rings[1]!)).toBe(1);
		expect(firstUnseen({ ...rings[0]!, stories: [story(1, true)] })).toBe(0);
	});
});
