import { describe, expect, it } from 'vitest';
import { badgeIds, eventTypeAt, helpAt, offersAt, spotAt, type Language } from '../src/lib/comms/language';
import described from './fixtures/language.json';

// `plaza rules describe` output: the same description the server sends.
const lang = described as unknown as Language;

/** The text with `|` removed, and the cursor where it was. */
function at(marked: string): [string, number] {
	const pos = marked.indexOf('|');
	return [marked.slice(0, pos) + marked.slice(pos + 1), pos];
}

const labels = (marked: string, explicit = true) => {
	const [text, pos] = at(marked);
	return offersAt(lang, text, pos, explicit)?.options.map((o) => o.label) ?? null;
};

const FILE = `version: 1
badges:
  first_post: {title: {en: First}}
  gold_star:
    title: {en: Gold}
rules:
  - id: a
    event: post.created
    when: event.body_length > 3
    award:
      points: 1
`;

describe('spotAt', () => {
	it('finds the keys above the cursor, list items adding nothing', () => {
		const [text, pos] = at(FILE + '      sp|');
		expect(spotAt(text, pos)).toMatchObject({ path: ['rules', 'award'], valueOf: null, typed: 'sp' });
	});
	it('reads flow mappings on the line', () => {
		const [text, pos] = at('rules:\n  - id: a\n    limits: [{max: 1, per: d|');
		expect(spotAt(text, pos)).toMatchObject({ path: ['rules', 'limits'], valueOf: 'per', typed: 'd' });
	});
	it('is nowhere inside a comment', () => {
		const [text, pos] = at('rules:  # ev|');
		expect(spotAt(text, pos)).toBeNull();
	});
});

describe('offersAt', () => {
	it('offers the keys of the level at the cursor', () => {
		expect(labels('ver|')).toContain('version');
		const rule = labels('rules:\n  - id: a\n    wh|')!;
		expect(rule).toContain('when');
		expect(rule).toContain('reverse_on');
		expect(rule).not.toContain('version');
		expect(labels(FILE + '      po|')).toEqual(['points', 'spins', 'badge']);
	});
	it('offers event types, fixed choices and the badges the file defines', () => {
		expect(labels('rules:\n  - id: a\n    event: po|')).toContain('post.created');
		expect(labels('rules:\n  - id: a\n    reverse_on: |')).toEqual(['comment.deleted', 'post.deleted']);
		expect(labels('rules:\n  - id: a\n    limits: [{max: 1, per: |')).toEqual(['day', 'week', 'month', 'total']);
		expect(labels(FILE + '      badge: |')).toEqual(['first_post', 'gold_star']);
		expect(labels('rules:\n  - {id: a, tiers: [{at: 1, award: {badge: |')).toEqual([]);
	});
	it('offers the fields of the rule’s own event type inside a condition', () => {
		const fields = labels('rules:\n  - id: a\n    event: kudos.given\n    when: event.|')!;
		expect(fields).toContain('recipient_id');
		expect(fields).toContain('weekday');
		expect(fields).not.toContain('body_length');
		// The event line may come after the condition.
		expect(labels('rules:\n  - id: a\n    when: event.b|\n    event: post.created\n')).toContain('body_length');
		expect(labels('rules:\n  - id: a\n    when: actor.|')).toContain('store');
	});
	it('offers CEL functions and roots in conditions', () => {
		const words = labels('rules:\n  - id: a\n    when: si|')!;
		expect(words).toContain('size');
		expect(words).toContain('event');
		expect(labels('rules:\n  - id: a\n    when: event.kind.|')).toContain('startsWith');
	});
	it('offers a test event’s fields by its type', () => {
		const keys = labels('tests:\n  - name: x\n    events:\n      - type: comment.created\n        is|')!;
		expect(keys).toContain('is_reply');
		expect(keys).toContain('repeat');
	});
	it('waits for a letter unless asked', () => {
		expect(labels('rules:\n  - id: a\n    |', false)).toBeNull();
		expect(labels('rules:\n  - id: a\n    |', true)).toContain('event');
	});
});

describe('helpAt', () => {
	const help = (marked: string) => {
		const [text, pos] = at(marked);
		return helpAt(lang, text, pos);
	};
	it('explains keys, event types, fields and functions', () => {
		expect(help('rules:\n  - id: a\n    rev|erse_on: post.deleted')?.body).toMatch(/takes the awards back/);
		expect(help('rules:\n  - id: a\n    event: post.cre|ated')?.body).toMatch(/body_length int/);
		expect(help('rules:\n  - id: a\n    event: post.created\n    when: event.body_le|ngth > 3')?.title).toBe('event.body_length: int');
		expect(help('rules:\n  - id: a\n    when: si|ze(event.id) > 1')?.title).toBe('size(x) -> int');
		expect(help('rules:\n  - id: a\n    when: 1 > 2 |')).toBeNull();
	});
	it('says its own few words in the user\'s language', () => {
		const words = { required: 'обязательный', linksBy: (field: string) => `связь по полю ${field}` };
		const [text, pos] = at('rules:\n  - i|d: a\n');
		expect(helpAt(lang, text, pos, words)?.title).toBe('id: str (обязательный)');
		expect(helpAt(lang, text, pos)?.title).toBe('id: str (required)');
		const [text2, pos2] = at('rules:\n  - id: a\n    event: post.dele|ted');
		expect(helpAt(lang, text2, pos2, words)?.body).toMatch(/ · связь по полю post_id$/);
	});
});

describe('helpers', () => {
	it('lists badge ids and finds a rule’s event type', () => {
		expect(badgeIds(FILE)).toEqual(['first_post', 'gold_star']);
		const [text, pos] = at(FILE + '      |');
		expect(eventTypeAt(text, pos)).toBe('post.created');
	});
});
