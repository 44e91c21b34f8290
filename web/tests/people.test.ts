import { describe, expect, it } from 'vitest';
import { badgeTitle, sortBadges } from '../src/lib/people/badges';
import { excerpt, highlight, normaliseTags, plainText, splitTags, terms } from '../src/lib/people/highlight';

describe('search highlighting', () => {
	it('marks every word of the query, whatever the case', () => {
		expect(highlight('Store director of the Arbat store', 'STORE arbat')).toEqual([
			{ text: 'Store', hit: true },
			{ text: ' director of the ', hit: false },
			{ text: 'Arbat', hit: true },
			{ text: ' ', hit: false },
			{ text: 'store', hit: true }
		]);
	});

	it('works in Russian and ignores one-letter words and regex characters', () => {
		expect(highlight('Склад на Невском', 'склад')).toEqual([
			{ text: 'Склад', hit: true },
			{ text: ' на Невском', hit: false }
		]);
		expect(terms('a (c++) x')).toEqual(['c++']);
		expect(highlight('learn c++ today', 'c++').filter((p) => p.hit)).toEqual([{ text: 'c++', hit: true }]);
		expect(highlight('nothing', '')).toEqual([{ text: 'nothing', hit: false }]);
	});

	it('takes the plain text of rendered HTML and cuts a window around the first hit', () => {
		expect(plainText('<p>Health <strong>insurance</strong></p>\n<p>covers dentistry</p>')).toBe('Health insurance covers dentistry');
		const long = 'word '.repeat(100) + 'dentistry is covered now ' + 'more '.repeat(100);
		const cut = excerpt(long, 'dentistry', 120);
		expect(cut.startsWith('…')).toBe(true);
		expect(cut.endsWith('…')).toBe(true);
		expect(cut).toContain('dentistry');
		expect(cut.length).toBeLessThanOrEqual(123);
		expect(excerpt('short text', 'x')).toBe('short text');
	});
});

describe('skills typed in a tag box', () => {
	it('splits on commas, keeps them trimmed, lower case, once and sorted', () => {
		expect(splitTags(' Excel, first aid;; forklift\n')).toEqual(['Excel', 'first aid', 'forklift']);
		expect(normaliseTags(['Excel', 'excel ', 'First Aid', ''])).toEqual(['excel', 'first aid']);
	});
});

describe('badges on a profile', () => {
	it("shows the title in the reader's language, else English", () => {
		expect(badgeTitle({ badge: 'x', title: { en: 'Commenter', ru: 'Комментатор' } }, 'ru')).toBe('Комментатор');
		expect(badgeTitle({ badge: 'x', title: { en: 'Commenter' } }, 'ru')).toBe('Commenter');
		expect(badgeTitle({ badge: 'first_post', title: {} }, 'en')).toBe('first_post');
	});

	it('puts the best tiers first, then the newest', () => {
		const sorted = sortBadges([
			{ tier: 'bronze', created_at: '2026-01-02' },
			{ tier: null, created_at: '2026-05-01' },
			{ tier: 'gold', created_at: '2026-01-01' },
			{ tier: 'bronze', created_at: '2026-03-01' }
		]);
		expect(sorted.map((b) => `${b.tier}@${b.created_at}`)).toEqual([
			'gold@2026-01-01',
			'bronze@2026-03-01',
			'bronze@2026-01-02',
			'null@2026-05-01'
		]);
	});
});
