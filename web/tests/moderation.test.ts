import { describe as group, expect, it, vi } from 'vitest';

vi.mock('$lib/live/socket.svelte', () => ({
	live: { on: () => () => {}, onResync: () => () => {} }
}));
vi.mock('$lib/api/client', () => ({ api: {} }));

import { actionsFor, highlight, itemHref, reportReason } from '../src/lib/moderation/moderation';
import { describe, type Notification } from '../src/lib/notify/describe';
import { setLocale } from '../src/lib/paraglide/runtime.js';

function note(kind: string, payload: Record<string, unknown>): Notification {
	return { id: 1, kind, payload, created_at: '2026-12-06T10:00:00Z', read_at: null, actor: null };
}

group('moderation helpers', () => {
	it('cuts the tested text at the hits by code points, as the server counts', () => {
		// The emoji is two UTF-16 units but one code point: the server's offsets skip it once.
		expect(highlight('😀 spam and more spam', [{ start: 2, end: 6 }, { start: 16, end: 20 }])).toEqual([
			{ text: '😀 ', hit: false },
			{ text: 'spam', hit: true },
			{ text: ' and more ', hit: false },
			{ text: 'spam', hit: true }
		]);
		expect(highlight('abc', [])).toEqual([{ text: 'abc', hit: false }]);
		// Overlapping hits: the first one wins, nothing is shown twice.
		expect(highlight('good morning', [{ start: 0, end: 12 }, { start: 5, end: 12 }]).map((p) => p.text).join('')).toBe('good morning');
	});

	it('offers only what the server allows in each status', () => {
		expect(actionsFor({ status: 'held' })).toContain('approve');
		expect(actionsFor({ status: 'held' })).not.toContain('dismiss');
		expect(actionsFor({ status: 'open' })).toEqual(['hide', 'delete', 'warn', 'mute', 'dismiss']);
		expect(actionsFor({ status: 'hidden' })[0]).toBe('restore');
		expect(actionsFor({ status: 'deleted' })).not.toContain('restore');
	});

	it('links each kind of item to where it lives', () => {
		expect(itemHref({ kind: 'comment', post_id: 4, chat_id: null, target_id: 9 })).toBe('/posts/4#comment-9');
		expect(itemHref({ kind: 'post', post_id: 4, chat_id: null, target_id: 4 })).toBe('/posts/4');
		expect(itemHref({ kind: 'message', post_id: null, chat_id: 2, target_id: 30 })).toBe('/chat/2');
		expect(itemHref({ kind: 'story', post_id: null, chat_id: null, target_id: 3 })).toBeNull();
	});

	it('puts the chosen reason first and keeps within the server limit', () => {
		expect(reportReason('Spam', '  ')).toBe('Spam');
		expect(reportReason('Spam', 'again')).toBe('Spam: again');
		expect(reportReason('Spam', 'x'.repeat(600))).toHaveLength(500);
	});
});

group('moderation notifications', () => {
	it('tell the author what a moderator did, in their language, with the note', () => {
		setLocale('en', { reload: false });
		expect(describe(note('moderation.hide', { excerpt: 'Rude', note: 'Be kind', post_id: 3, item: 'post' }))).toMatchObject({
			text: 'A moderator hid your text: “Rude”. Note: Be kind',
			href: '/posts/3'
		});
		expect(describe(note('moderation.warn', { excerpt: 'x', item: 'message', chat_id: 8 })).href).toBe('/chat/8');
		setLocale('ru', { reload: false });
		expect(describe(note('moderation.held', { excerpt: 'Текст', item: 'comment', post_id: 3, target_id: 5 }))).toMatchObject({
			text: 'Ваш текст ждёт одобрения модератора: «Текст»',
			href: '/posts/3#comment-5'
		});
		expect(describe(note('moderation.mute', { until: '2026-12-07T10:00:00Z' })).text).toMatch(/^Модератор запретил вам писать до .*2026/);
		setLocale('en', { reload: false });
	});
});
