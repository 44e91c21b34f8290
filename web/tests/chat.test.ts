import { describe, expect, it, vi } from 'vitest';
import { ChatStore, TYPING_MS, upsertMessage, type Chat, type ChatBackend, type Message } from '../src/lib/live/chat.svelte';
import { otherMember, previewText } from '../src/lib/chat/label';
import { PresenceStore } from '../src/lib/live/presence.svelte';

const ME = 1;
const ANNA = 2;
const BORIS = 3;

function msg(id: number, fields: Partial<Message> = {}): Message {
	return {
		chat_id: 10,
		message_id: id,
		author_id: ANNA,
		body: `m${id}`,
		created_at: new Date(Date.UTC(2026, 0, 1, 12, 0, id)).toISOString(),
		change: 'new',
		...fields
	};
}

function chat(id: number, fields: Partial<Chat> = {}): Chat {
	return {
		id,
		kind: 'direct',
		title: '',
		member_ids: [ME, ANNA],
		unread: 0,
		last_read_id: 0,
		last_message: null,
		read_ids: {},
		...fields
	};
}

function backend(pages: Record<string, { messages: Message[]; next_before: number | null }> = {}): ChatBackend & {
	reads: [number, number][];
	failRead: boolean;
} {
	const server = {
		reads: [] as [number, number][],
		failRead: false,
		list: async () => [],
		history: async (chatId: number, before: number | null) => pages[`${chatId}:${before}`] ?? { messages: [], next_before: null },
		read: async (chatId: number, messageId: number) => {
			server.reads.push([chatId, messageId]);
			if (server.failRead) throw new Error('refused');
			return messageId;
		}
	};
	return server;
}

describe('upsertMessage', () => {
	it('keeps id order and recognises a message it already has', () => {
		const list: Message[] = [];
		expect(upsertMessage(list, msg(3))).toBe(true);
		expect(upsertMessage(list, msg(1))).toBe(true);
		expect(upsertMessage(list, msg(2))).toBe(true);
		expect(upsertMessage(list, msg(2))).toBe(false);
		expect(list.map((m) => m.message_id)).toEqual([1, 2, 3]);
	});

	it('never brings a deleted message back with an older copy', () => {
		const list = [msg(1, { deleted: true, body: '', change: 'deleted' })];
		upsertMessage(list, msg(1));
		expect(list[0]!.deleted).toBe(true);
		upsertMessage(list, msg(1, { body: 'new text', edited_at: '2026-01-01T13:00:00Z', change: 'edited' }));
		expect(list[0]!.deleted).toBe(true);
	});

	it('keeps an edit over an older copy of the message', () => {
		const list = [msg(1, { body: 'edited', edited_at: '2026-01-01T13:00:00Z', change: 'edited' })];
		upsertMessage(list, msg(1));
		expect(list[0]!.body).toBe('edited');
	});
});

describe('ChatStore', () => {
	function store(server = backend(), chats: Chat[] = [chat(10), chat(11, { member_ids: [ME, BORIS] })]) {
		const s = new ChatStore({ server, me: () => ME });
		s.setChats(chats);
		return s;
	}

	it('a new message updates the last message, the unread count and moves the chat up', () => {
		const s = store();
		expect(s.chats.map((c) => c.id)).toEqual([10, 11]);
		s.applyMessage(msg(5, { chat_id: 11, author_id: BORIS }));
		expect(s.chats.map((c) => c.id)).toEqual([11, 10]);
		expect(s.chat(11)!.unread).toBe(1);
		expect(s.chat(11)!.last_message!.body).toBe('m5');
		expect(s.totalUnread).toBe(1);
	});

	it('the same message twice (the send answer and the live event) counts once', () => {
		const s = store();
		s.applyMessage(msg(5, { chat_id: 11, author_id: BORIS }));
		s.applyMessage(msg(5, { chat_id: 11, author_id: BORIS }));
		expect(s.chat(11)!.unread).toBe(1);
	});

	it('my own message is not unread and counts as read by me', () => {
		const s = store();
		s.applyMessage(msg(7, { author_id: ME }));
		expect(s.chat(10)!.unread).toBe(0);
		expect(s.chat(10)!.last_read_id).toBe(7);
	});

	it('orders chats by the time of their last message, whatever order events arrive in', () => {
		const s = store();
		s.applyMessage(msg(20, { chat_id: 11, author_id: BORIS, created_at: '2026-01-02T10:00:00Z' }));
		s.applyMessage(msg(19, { chat_id: 10, created_at: '2026-01-02T09:00:00Z' }));
		expect(s.chats.map((c) => c.id)).toEqual([11, 10]);
	});

	it('applies edits and deletions to a loaded conversation and to the last message', async () => {
		const server = backend({ '10:null': { messages: [msg(2), msg(1)], next_before: null } });
		const s = store(server);
		const c = s.conversation(10);
		await c.load();
		expect(c.messages.map((m) => m.message_id)).toEqual([1, 2]);
		s.applyMessage(msg(3));
		s.applyMessage(msg(2, { body: 'fixed', edited_at: '2026-01-01T12:30:00Z', change: 'edited' }));
		expect(c.messages.map((m) => m.body)).toEqual(['m1', 'fixed', 'm3']);
		s.applyMessage(msg(3, { body: '', deleted: true, change: 'deleted' }));
		expect(c.messages[2]!.deleted).toBe(true);
		expect(s.chat(10)!.last_message!.deleted).toBe(true);
		// The deleted message was unread: it is not counted any more.
		expect(s.chat(10)!.unread).toBe(0);
	});

	it('loads older pages before the loaded ones, each message once', async () => {
		const server = backend({
			'10:null': { messages: [msg(4), msg(3)], next_before: 3 },
			'10:3': { messages: [msg(2), msg(1)], next_before: null }
		});
		const s = store(server);
		const c = s.conversation(10);
		await c.load();
		expect(c.hasOlder).toBe(true);
		expect(await c.loadOlder()).toBe(2);
		expect(c.messages.map((m) => m.message_id)).toEqual([1, 2, 3, 4]);
		expect(c.hasOlder).toBe(false);
	});

	it('opening loads older pages until the first unread message is in, and no further', async () => {
		const server = backend({
			'10:null': { messages: [msg(8), msg(7)], next_before: 7 },
			'10:7': { messages: [msg(6), msg(5)], next_before: 5 },
			'10:5': { messages: [msg(4), msg(3)], next_before: 3 },
			'10:3': { messages: [msg(2), msg(1)], next_before: null }
		});
		const history = vi.spyOn(server, 'history');
		const s = store(server);
		const c = s.conversation(10);
		await c.load();
		// Read up to 4: the first unread (5) is two pages back; 4 comes with it.
		await c.loadUnreadFrom(4);
		expect(c.messages.map((m) => m.message_id)).toEqual([3, 4, 5, 6, 7, 8]);
		expect(history).toHaveBeenCalledTimes(3);
		// Never read anything: up to the beginning, within the page limit.
		const d = store(server).conversation(10);
		await d.load();
		await d.loadUnreadFrom(0, 2);
		expect(d.messages[0]!.message_id).toBe(3);
		await d.loadUnreadFrom(0);
		expect(d.messages[0]!.message_id).toBe(1);
		expect(d.hasOlder).toBe(false);
	});

	it('a live message gives a new list (the history is not changed in place)', async () => {
		const server = backend({ '10:null': { messages: [msg(1)], next_before: null } });
		const s = store(server);
		const c = s.conversation(10);
		await c.load();
		const before = c.messages;
		s.applyMessage(msg(2));
		expect(c.messages).not.toBe(before);
		expect(before.map((m) => m.message_id)).toEqual([1]);
		c.replace({ ...msg(2), body: 'back' });
		expect(c.messages[1]!.body).toBe('back');
	});

	it('a message from someone the list does not know as a member reloads the list', async () => {
		vi.useFakeTimers();
		try {
			const server = backend();
			const list = vi.spyOn(server, 'list');
			const s = store(server);
			s.applyMessage(msg(5, { author_id: ANNA }));
			await vi.advanceTimersByTimeAsync(200);
			expect(list).not.toHaveBeenCalled();
			s.applyMessage(msg(6, { author_id: BORIS }));
			await vi.advanceTimersByTimeAsync(200);
			expect(list).toHaveBeenCalledTimes(1);
		} finally {
			vi.useRealTimers();
		}
	});

	it('adding someone and leaving a chat change the list at once', () => {
		const s = store(backend(), [chat(10, { kind: 'group', member_ids: [ME, ANNA], unread: 2 }), chat(11)]);
		s.addMember(10, BORIS);
		s.addMember(10, BORIS);
		expect(s.chat(10)!.member_ids).toEqual([ME, ANNA, BORIS]);
		expect(s.totalUnread).toBe(2);
		s.forget(10);
		expect(s.chats.map((c) => c.id)).toEqual([11]);
		expect(s.totalUnread).toBe(0);
	});

	it('a receipt of the other shows "seen" on my message; mine clears the unread count', () => {
		const s = store();
		s.applyMessage(msg(5, { author_id: ME }));
		expect(s.seenBy(10, 5)).toBe(0);
		s.applyRead({ chat_id: 10, employee_id: ANNA, message_id: 5 });
		expect(s.seenBy(10, 5)).toBe(1);
		// An older receipt arriving late does not take it back.
		s.applyRead({ chat_id: 10, employee_id: ANNA, message_id: 4 });
		expect(s.seenBy(10, 5)).toBe(1);

		s.applyMessage(msg(6));
		s.applyMessage(msg(8));
		expect(s.chat(10)!.unread).toBe(2);
		s.applyRead({ chat_id: 10, employee_id: ME, message_id: 8 });
		expect(s.chat(10)!.unread).toBe(0);
	});

	it('the list after a reload keeps who has read what', () => {
		const s = store(backend(), [chat(10, { read_ids: { [ME]: 9, [ANNA]: 9 }, last_message: msg(9, { author_id: ME }) })]);
		expect(s.seenBy(10, 9)).toBe(1);
	});

	it('marking read is optimistic and rolled back when the server refuses', async () => {
		const server = backend();
		const s = store(server, [chat(10, { unread: 2, last_read_id: 3, last_message: msg(5) })]);
		server.failRead = true;
		await s.markRead(10, 5);
		expect(server.reads).toEqual([[10, 5]]);
		expect(s.chat(10)!.unread).toBe(2);
		server.failRead = false;
		await s.markRead(10, 5);
		expect(s.chat(10)!.unread).toBe(0);
		expect(s.chat(10)!.last_read_id).toBe(5);
	});

	it('shows who is typing for a few seconds, and not after their message', () => {
		vi.useFakeTimers();
		try {
			const s = new ChatStore({ server: backend(), me: () => ME });
			s.setChats([chat(10)]);
			s.applyTyping({ chat_id: 10, employee_id: ANNA });
			s.applyTyping({ chat_id: 10, employee_id: ME });
			expect(s.typingIn(10)).toEqual([ANNA]);
			vi.advanceTimersByTime(TYPING_MS + 10);
			expect(s.typingIn(10)).toEqual([]);
			s.applyTyping({ chat_id: 10, employee_id: ANNA });
			s.applyMessage(msg(3));
			expect(s.typingIn(10)).toEqual([]);
		} finally {
			vi.useRealTimers();
		}
	});

	it('a chat it does not know (someone started it) reloads the list', async () => {
		vi.useFakeTimers();
		try {
			const server = backend();
			const list = vi.spyOn(server, 'list').mockResolvedValue([chat(12, { last_message: msg(1, { chat_id: 12 }), unread: 1 })]);
			const s = store(server);
			s.applyMessage(msg(1, { chat_id: 12 }));
			await vi.advanceTimersByTimeAsync(200);
			expect(list).toHaveBeenCalledOnce();
			expect(s.chat(12)!.unread).toBe(1);
		} finally {
			vi.useRealTimers();
		}
	});

	it('a chat without messages keeps the place the server gave it', () => {
		const s = store(backend(), [
			chat(1, { last_message: msg(9, { chat_id: 1, created_at: '2026-01-03T00:00:00Z' }) }),
			chat(2),
			chat(3, { last_message: msg(2, { chat_id: 3, created_at: '2026-01-01T00:00:00Z' }) })
		]);
		expect(s.chats.map((c) => c.id)).toEqual([1, 2, 3]);
	});
});

describe('labels', () => {
	it('names the other person of a direct chat', () => {
		expect(otherMember(chat(1), ME)).toBe(ANNA);
		expect(otherMember(chat(1, { kind: 'group', member_ids: [ME, ANNA, BORIS] }), ME)).toBeNull();
	});

	it('previews text, stickers, files and deleted messages', () => {
		const words = { sticker: 'Sticker', file: 'File', deleted: 'Message deleted' };
		const emoji = (id: string) => (id === 'party' ? '🎉' : '');
		expect(previewText(msg(1, { body: 'hello\n  there' }), words, emoji)).toBe('hello there');
		expect(previewText(msg(1, { body: '', sticker: 'party' }), words, emoji)).toBe('🎉 Sticker');
		expect(
			previewText(msg(1, { body: '', attachment: { name: 'plan.pdf', media_type: 'application/pdf', size: 3, url: '/x' } }), words, emoji)
		).toBe('File: plan.pdf');
		expect(previewText(msg(1, { deleted: true }), words, emoji)).toBe('Message deleted');
	});
});

describe('PresenceStore', () => {
	it('counts who watches whom and applies changes', () => {
		const p = new PresenceStore();
		const stopA = p.watch([2, 3]);
		const stopB = p.watch([3]);
		expect(p.watched().sort()).toEqual([2, 3]);
		stopA();
		expect(p.watched()).toEqual([3]);
		stopA();
		expect(p.watched()).toEqual([3]);
		stopB();
		expect(p.watched()).toEqual([]);
		expect(p.stateOf(3)).toBe('offline');
		p.apply([{ id: 3, state: 'online', last_seen: 1 }]);
		expect(p.stateOf(3)).toBe('online');
		p.apply([{ id: 3, state: 'away', last_seen: 2 }]);
		expect(p.stateOf(3)).toBe('away');
		expect(p.lastSeen(3)).toBe(2);
	});
});

describe('chatStore', () => {
	it('gives someone who signs in after another a store of their own', async () => {
		const { chatStore } = await import('../src/lib/live/chat.svelte');
		let me: number | null = 1;
		const first = chatStore(() => me);
		first.setChats([chat(10)]);
		expect(chatStore(() => me)).toBe(first);
		me = 2;
		const second = chatStore(() => me);
		expect(second).not.toBe(first);
		expect(second.chats).toEqual([]);
	});
});
