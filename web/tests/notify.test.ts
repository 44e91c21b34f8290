import { describe as group, expect, it, vi } from 'vitest';

vi.mock('$lib/live/socket.svelte', () => ({
	live: { on: () => () => {}, onResync: () => () => {} }
}));
vi.mock('$lib/live/unread.svelte', () => ({ unread: { count: 0 } }));
vi.mock('$lib/api/client', () => ({ api: {} }));

import { NotificationStore, type NotifyBackend, type Page } from '../src/lib/live/notifications.svelte';
import { describe, localized, type Notification } from '../src/lib/notify/describe';
import { plain } from '../src/lib/notify/plain';
import { setLocale } from '../src/lib/paraglide/runtime.js';

function note(id: number, kind: string, payload: Record<string, unknown> = {}, read = false): Notification {
	return {
		id,
		kind,
		payload,
		created_at: '2026-12-06T10:00:00Z',
		read_at: read ? '2026-12-06T11:00:00Z' : null,
		actor: { id: 7, name: 'Anna Petrova', position: '', avatar_url: null }
	};
}

group('describe', () => {
	it('says each kind in the reader language, with a link to what it is about', () => {
		setLocale('en', { reload: false });
		expect(describe(note(1, 'mention', { post_id: 5, comment_id: null }))).toMatchObject({
			text: 'Anna Petrova mentioned you in a post',
			href: '/posts/5'
		});
		expect(describe(note(1, 'mention', { post_id: 5, comment_id: 9 })).href).toBe('/posts/5#comment-9');
		expect(describe(note(1, 'reaction', { post_id: 5, emoji: 'fire' })).text).toBe('Anna Petrova reacted 🔥 to your post');
		expect(describe(note(1, 'reward.granted', { currency: 'points', amount: 1, reason: 'Thanks' })).text).toBe(
			'You received 1 point: Thanks'
		);
		expect(describe(note(1, 'badge.awarded', { title: { en: 'First post', ru: 'Первый пост' } }), 3)).toMatchObject({
			text: 'You earned the badge “First post”',
			href: '/people/3'
		});
		expect(describe(note(1, 'group.invited', { group_id: 2, group: 'Runners' })).href).toBe('/groups/2');
		expect(describe(note(1, 'redemption.decided', { status: 'rejected', note: 'Out of stock' })).text).toBe(
			'Your order in the shop was declined; the points are back. Note: Out of stock'
		);
		expect(describe(note(1, 'something.new')).text).toBe('Something new for you');

		setLocale('ru', { reload: false });
		expect(describe(note(1, 'comment', { post_id: 5 })).text).toBe('Anna Petrova комментирует вашу публикацию');
		expect(describe(note(1, 'reward.granted', { currency: 'points', amount: 5, reason: 'За отчёт' })).text).toBe(
			'Вы получили 5 баллов: За отчёт'
		);
		expect(localized({ en: 'First post', ru: 'Первый пост' })).toBe('Первый пост');
		const nobody = { ...note(1, 'kudos', { post_id: 1 }), actor: null };
		expect(describe(nobody).text).toBe('Коллега публично благодарит вас');
		setLocale('en', { reload: false });
	});
});

group('plain', () => {
	it('turns a post line into words', () => {
		expect(plain('**Welcome to Plaza!** Our new home')).toBe('Welcome to Plaza! Our new home');
		expect(plain('# Hello @[Anna Petrova](person:3), see *this*')).toBe('Hello Anna Petrova, see this');
		expect(plain('snake_case stays')).toBe('snake_case stays');
	});
});

function fakeServer(pages: Page[], refuse = false) {
	const calls: (number[] | null)[] = [];
	const server: NotifyBackend = {
		async page() {
			return pages.shift() ?? { items: [], unread_count: 0, next_cursor: null };
		},
		async markRead(ids) {
			calls.push(ids);
			if (refuse) throw new Error('refused');
			return ids?.length ?? 0;
		}
	};
	return { server, calls };
}

group('NotificationStore', () => {
	it('reads one: the row and the bell change, and go back when the server refuses', async () => {
		const counter = { count: 0 };
		const { server, calls } = fakeServer([{ items: [note(2, 'comment'), note(1, 'mention')], unread_count: 2, next_cursor: null }], true);
		const store = new NotificationStore(server, counter);
		await store.load();
		expect(counter.count).toBe(2);
		const error = await store.markRead(store.items[0]!);
		expect(error).toBeInstanceOf(Error);
		expect(calls).toEqual([[2]]);
		expect(store.items[0]!.read_at).toBeNull();
		expect(counter.count).toBe(2);
	});

	it('reads all at once and the bell goes to zero', async () => {
		const counter = { count: 0 };
		const { server, calls } = fakeServer([{ items: [note(2, 'comment'), note(1, 'mention', {}, true)], unread_count: 5, next_cursor: null }]);
		const store = new NotificationStore(server, counter);
		await store.load();
		expect(await store.markAllRead()).toBeNull();
		expect(calls).toEqual([null]);
		expect(store.items.every((n) => n.read_at)).toBe(true);
		expect(counter.count).toBe(0);
	});

	it('puts new ones on top once, and announces the newest', async () => {
		const counter = { count: 0 };
		const { server } = fakeServer([
			{ items: [note(1, 'mention')], unread_count: 1, next_cursor: null },
			{ items: [note(3, 'reaction'), note(2, 'comment'), note(1, 'mention', {}, true)], unread_count: 2, next_cursor: null },
			{ items: [note(3, 'reaction'), note(2, 'comment'), note(1, 'mention', {}, true)], unread_count: 2, next_cursor: null }
		]);
		const store = new NotificationStore(server, counter);
		await store.load();
		await store.refresh(true);
		await store.refresh(true);
		expect(store.items.map((n) => n.id)).toEqual([3, 2, 1]);
		expect(store.items[2]!.read_at).not.toBeNull(); // read in another tab
		expect(store.arrived?.id).toBe(3);
		expect(counter.count).toBe(2);
	});
});
