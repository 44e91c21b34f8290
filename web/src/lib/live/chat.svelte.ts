/**
 * Conversations and their messages, live.
 *
 * - The list (`GET /api/chats`) is kept sorted by activity: a chat moves up when a message
 *   arrives; a chat nobody wrote in yet keeps the place the server gave it.
 * - Each open conversation holds its messages oldest first, loaded newest page first and
 *   older pages on demand (`before` cursor). Messages are recognised by id, so a message
 *   that comes both as the answer to a send and as a live event is shown once, and events
 *   arriving slightly out of order still end up in id order.
 * - `chat.message` (new, edited, deleted), `chat.read` (receipts: mine clear the unread
 *   count, others' show "seen") and `chat.typing` (who is writing, for a few seconds) are
 *   applied to what is loaded. A chat not in the list (someone started it) reloads the list.
 * - After a reconnect with `reset`, the list and the loaded conversations are fetched again.
 */
import { api, type components } from '$lib/api/client';
import { live } from './socket.svelte';

export type Chat = components['schemas']['ChatOut'];
export type Message = components['schemas']['ChatMessageEvent'];
export type ReadEvent = { chat_id: number; employee_id: number; message_id: number };
export type TypingEvent = { chat_id: number; employee_id: number };
export type HistoryPage = { messages: Message[]; next_before: number | null };

/** How long "is typing" lasts after the last signal (the sender repeats every few seconds). */
export const TYPING_MS = 5000;

/** What the store asks of the server (replaced in unit tests). */
export type ChatBackend = {
	list(): Promise<Chat[]>;
	history(chatId: number, before: number | null, limit: number): Promise<HistoryPage>;
	read(chatId: number, messageId: number): Promise<number>;
};

export const chatBackend: ChatBackend = {
	async list() {
		const { data } = await api.GET('/api/chats');
		return data!.chats;
	},
	async history(chatId, before, limit) {
		const query = before ? { before, limit } : { limit };
		const { data } = await api.GET('/api/chats/{id}/messages', { params: { path: { id: chatId }, query } });
		return data!;
	},
	async read(chatId, messageId) {
		const { data } = await api.POST('/api/chats/{id}/read', {
			params: { path: { id: chatId } },
			body: { message_id: messageId }
		});
		return data!.last_read_id;
	}
};

/** Insert or replace a message in an id-ordered list (oldest first); returns true if new. */
export function upsertMessage(list: Message[], message: Message): boolean {
	let lo = 0;
	let hi = list.length;
	while (lo < hi) {
		const mid = (lo + hi) >> 1;
		if (list[mid]!.message_id < message.message_id) lo = mid + 1;
		else hi = mid;
	}
	const found = list[lo];
	if (found && found.message_id === message.message_id) {
		list[lo] = merge(found, message);
		return false;
	}
	list.splice(lo, 0, message);
	return true;
}

/** A later change wins; a deletion is never undone by an older copy of the message. */
function merge(old: Message, incoming: Message): Message {
	if (old.deleted && !incoming.deleted) return old;
	if (!incoming.deleted && old.edited_at && incoming.edited_at && incoming.edited_at < old.edited_at) return old;
	if (!incoming.deleted && old.edited_at && !incoming.edited_at) return old;
	return { ...incoming, change: incoming.change ?? 'new' };
}

function time(value: string | null | undefined): number {
	const t = value ? Date.parse(value) : NaN;
	return Number.isNaN(t) ? 0 : t;
}

export class Conversation {
	readonly id: number;
	/** Replaced, never changed in place (thousands of messages: no deep proxies). */
	messages = $state.raw<Message[]>([]);
	loading = $state(true);
	loadingOlder = $state(false);
	error = $state<unknown>(null);
	olderError = $state<unknown>(null);
	nextBefore = $state<number | null>(null);
	/** True once the first page is in. */
	loaded = $state(false);

	#server: ChatBackend;
	#pageSize: number;

	constructor(id: number, server: ChatBackend, pageSize = 50) {
		this.id = id;
		this.#server = server;
		this.#pageSize = pageSize;
	}

	get hasOlder(): boolean {
		return this.nextBefore !== null;
	}

	async load(): Promise<void> {
		this.loading = true;
		this.error = null;
		try {
			const page = await this.#server.history(this.id, null, this.#pageSize);
			// Keep live messages that came meanwhile; the page's copies replace the rest.
			const list = this.loaded ? [...this.messages] : [];
			for (const message of page.messages) upsertMessage(list, message);
			this.messages = list;
			if (!this.loaded) this.nextBefore = page.next_before;
			this.loaded = true;
		} catch (error) {
			this.error = error;
		} finally {
			this.loading = false;
		}
	}

	async loadOlder(): Promise<number> {
		if (this.loadingOlder || this.nextBefore === null) return 0;
		this.loadingOlder = true;
		this.olderError = null;
		try {
			const page = await this.#server.history(this.id, this.nextBefore, this.#pageSize);
			const list = [...this.messages];
			let added = 0;
			for (const message of page.messages) if (upsertMessage(list, message)) added++;
			this.messages = list;
			this.nextBefore = page.next_before;
			return added;
		} catch (error) {
			this.olderError = error;
			return 0;
		} finally {
			this.loadingOlder = false;
		}
	}

	/**
	 * Load older pages until the message after `readUpTo` (the first unread) is in, or the
	 * beginning, or `maxPages` pages: opening a chat lands at its first unread message.
	 */
	async loadUnreadFrom(readUpTo: number, maxPages = 20): Promise<void> {
		for (let pages = 0; pages < maxPages; ) {
			const oldest = this.messages[0]?.message_id ?? 0;
			if (this.nextBefore === null || this.olderError || (this.messages.length && oldest <= readUpTo)) return;
			if (this.loadingOlder) {
				// A page asked for by scrolling: wait for it.
				await new Promise((resolve) => setTimeout(resolve, 30));
				continue;
			}
			pages++;
			await this.loadOlder();
		}
	}

	/** Returns true if the message was not there before. */
	apply(message: Message): boolean {
		if (!this.loaded) return false;
		const list = [...this.messages];
		const added = upsertMessage(list, message);
		this.messages = list;
		return added;
	}

	/** Put a message back exactly as given (an optimistic change rolled back). */
	replace(message: Message): void {
		const at = this.messages.findIndex((m) => m.message_id === message.message_id);
		if (at < 0) return;
		const list = [...this.messages];
		list[at] = message;
		this.messages = list;
	}

	last(): Message | undefined {
		return this.messages[this.messages.length - 1];
	}
}

export class ChatStore {
	chats = $state<Chat[]>([]);
	loading = $state(false);
	loaded = $state(false);
	error = $state<unknown>(null);
	/** chat id -> employee id -> until when (ms) they are typing. */
	typing = $state<Record<number, Record<number, number>>>({});

	#server: ChatBackend;
	#me: () => number | null;
	#conversations = new Map<number, Conversation>();
	/** chat id -> activity time used for ordering. */
	#activity = new Map<number, number>();
	#started = false;
	#stops: (() => unknown)[] = [];
	#reloadTimer: ReturnType<typeof setTimeout> | undefined;
	#typingTimers = new Map<string, ReturnType<typeof setTimeout>>();
	#now: () => number;

	constructor(options: { server?: ChatBackend; me: () => number | null; now?: () => number }) {
		this.#server = options.server ?? chatBackend;
		this.#me = options.me;
		this.#now = options.now ?? Date.now;
	}

	/** Listen to the live events (once per app). */
	start(): void {
		if (this.#started) return;
		this.#started = true;
		this.#stops = [
			live.on('chat.message', (payload: Message) => this.applyMessage(payload)),
			live.on('chat.read', (payload: ReadEvent) => this.applyRead(payload)),
			live.on('chat.typing', (payload: TypingEvent) => this.applyTyping(payload)),
			live.onResync(() => void this.resync())
		];
	}

	/** Stop listening (another person signed in in this tab). */
	stop(): void {
		for (const stop of this.#stops) stop();
		this.#stops = [];
		clearTimeout(this.#reloadTimer);
		for (const timer of this.#typingTimers.values()) clearTimeout(timer);
	}

	async load(): Promise<void> {
		this.loading = true;
		this.error = null;
		try {
			this.setChats(await this.#server.list());
			this.loaded = true;
		} catch (error) {
			this.error = error;
		} finally {
			this.loading = false;
		}
	}

	/** Take the server's list (newest activity first) as the new state. */
	setChats(chats: Chat[]): void {
		this.#activity.clear();
		// A chat without messages keeps its place: it takes the time of the chat before it
		// (those on top: just after the newest message).
		const newest = chats.find((c) => c.last_message);
		let previous = newest?.last_message ? time(newest.last_message.created_at) + 1 : 0;
		for (const chat of chats) {
			const at = chat.last_message ? time(chat.last_message.created_at) : previous;
			this.#activity.set(chat.id, at);
			previous = at;
		}
		this.chats = this.#sorted(chats);
	}

	async resync(): Promise<void> {
		await this.load();
		await Promise.all([...this.#conversations.values()].filter((c) => c.loaded).map((c) => c.load()));
	}

	chat(id: number): Chat | undefined {
		return this.chats.find((c) => c.id === id);
	}

	conversation(id: number): Conversation {
		let conversation = this.#conversations.get(id);
		if (!conversation) {
			conversation = new Conversation(id, this.#server);
			this.#conversations.set(id, conversation);
		}
		return conversation;
	}

	/** The total of unread messages over all chats (the navigation's badge). */
	get totalUnread(): number {
		return this.chats.reduce((sum, chat) => sum + chat.unread, 0);
	}

	applyMessage(message: Message): void {
		const me = this.#me();
		const conversation = this.#conversations.get(message.chat_id);
		const isNew = conversation?.loaded ? conversation.apply(message) : true;
		const chat = this.chat(message.chat_id);
		if (!chat) {
			// Someone started a chat with me, or added me to one: its summary is on the server.
			this.#reloadSoon();
			return;
		}
		// Someone added to a group chat since the list came: its members are on the server.
		if (!chat.member_ids.includes(message.author_id)) this.#reloadSoon();
		const last = chat.last_message;
		if (!last || message.message_id >= last.message_id) chat.last_message = message;
		if (message.change === 'new' && isNew && !(last && message.message_id <= last.message_id)) {
			if (message.author_id === me) {
				// The author has read their own message (the server moved the marker too).
				chat.last_read_id = Math.max(chat.last_read_id, message.message_id);
				chat.read_ids = { ...chat.read_ids, [message.author_id]: message.message_id };
			} else if (message.message_id > chat.last_read_id) {
				chat.unread += 1;
			}
			// The writer stopped typing.
			this.#stopTyping(message.chat_id, message.author_id);
			this.#activity.set(chat.id, Math.max(this.#activity.get(chat.id) ?? 0, time(message.created_at)));
			this.chats = this.#sorted(this.chats);
		} else if (message.change === 'deleted' && message.author_id !== me && message.message_id > chat.last_read_id) {
			chat.unread = Math.max(0, chat.unread - 1);
		}
	}

	applyRead(receipt: ReadEvent): void {
		const chat = this.chat(receipt.chat_id);
		if (!chat) return;
		const known = chat.read_ids[receipt.employee_id] ?? 0;
		if (receipt.message_id > known) chat.read_ids = { ...chat.read_ids, [receipt.employee_id]: receipt.message_id };
		if (receipt.employee_id === this.#me()) this.#readUpTo(chat, receipt.message_id);
	}

	applyTyping(event: TypingEvent): void {
		if (event.employee_id === this.#me()) return;
		const until = this.#now() + TYPING_MS;
		const forChat = { ...(this.typing[event.chat_id] ?? {}), [event.employee_id]: until };
		this.typing = { ...this.typing, [event.chat_id]: forChat };
		const key = `${event.chat_id}:${event.employee_id}`;
		clearTimeout(this.#typingTimers.get(key));
		this.#typingTimers.set(
			key,
			setTimeout(() => this.#stopTyping(event.chat_id, event.employee_id), TYPING_MS)
		);
	}

	/** Who is typing in a chat now (not me). */
	typingIn(chatId: number): number[] {
		const now = this.#now();
		return Object.entries(this.typing[chatId] ?? {})
			.filter(([, until]) => until > now)
			.map(([id]) => Number(id));
	}

	/**
	 * "Seen" for my message: how many others have read up to it. For a direct chat the
	 * answer is 0 or 1.
	 */
	seenBy(chatId: number, messageId: number): number {
		const chat = this.chat(chatId);
		if (!chat) return 0;
		const me = this.#me();
		return Object.entries(chat.read_ids).filter(([id, read]) => Number(id) !== me && read >= messageId).length;
	}

	/** Mark a chat read up to a message: at once here, then on the server. */
	async markRead(chatId: number, messageId: number): Promise<void> {
		const chat = this.chat(chatId);
		if (chat && messageId <= chat.last_read_id && chat.unread === 0) return;
		const before = chat ? { unread: chat.unread, last: chat.last_read_id } : null;
		if (chat) this.#readUpTo(chat, messageId);
		try {
			await this.#server.read(chatId, messageId);
		} catch {
			// Not read on the server: the count comes back (the reader may try again).
			if (chat && before) {
				chat.unread = before.unread;
				chat.last_read_id = before.last;
			}
		}
	}

	#readUpTo(chat: Chat, messageId: number): void {
		if (messageId > chat.last_read_id) chat.last_read_id = messageId;
		const me = this.#me();
		if (me !== null) chat.read_ids = { ...chat.read_ids, [me]: Math.max(chat.read_ids[me] ?? 0, messageId) };
		const last = chat.last_message?.message_id ?? 0;
		if (messageId >= last) chat.unread = 0;
		else {
			// Count what is still unread among the messages loaded here, when that is known.
			const conversation = this.#conversations.get(chat.id);
			if (conversation?.loaded) {
				chat.unread = conversation.messages.filter(
					(m) => m.message_id > chat.last_read_id && m.author_id !== me && !m.deleted
				).length;
			}
		}
	}

	#stopTyping(chatId: number, employeeId: number): void {
		const forChat = this.typing[chatId];
		if (!forChat || !(employeeId in forChat)) return;
		const rest = { ...forChat };
		delete rest[employeeId];
		this.typing = { ...this.typing, [chatId]: rest };
		const key = `${chatId}:${employeeId}`;
		clearTimeout(this.#typingTimers.get(key));
		this.#typingTimers.delete(key);
	}

	#sorted(chats: Chat[]): Chat[] {
		const order = new Map(chats.map((c, i) => [c.id, i]));
		return [...chats].sort(
			(a, b) =>
				(this.#activity.get(b.id) ?? 0) - (this.#activity.get(a.id) ?? 0) || order.get(a.id)! - order.get(b.id)!
		);
	}

	#reloadSoon(): void {
		clearTimeout(this.#reloadTimer);
		this.#reloadTimer = setTimeout(() => void this.load(), 150);
	}

	/** Someone joined a chat (added here): the list shows them at once. */
	addMember(chatId: number, employeeId: number): void {
		const chat = this.chat(chatId);
		if (chat && !chat.member_ids.includes(employeeId)) chat.member_ids = [...chat.member_ids, employeeId].sort((a, b) => a - b);
	}

	/** I left a chat: it goes from the list (its messages stop coming). */
	forget(chatId: number): void {
		this.chats = this.chats.filter((chat) => chat.id !== chatId);
		this.#activity.delete(chatId);
		this.#conversations.delete(chatId);
	}

	/** Add a chat that was just opened or created here (before the list knows it). */
	async ensure(chatId: number): Promise<Chat | undefined> {
		if (!this.chat(chatId)) await this.load();
		return this.chat(chatId);
	}
}

let store: { owner: number | null; chats: ChatStore } | null = null;

/**
 * The app's one chat store, listening to the live events. It belongs to whoever is signed
 * in: after signing out and in as someone else (no page load between), that person gets
 * a new, empty one, never the previous person's chats.
 */
export function chatStore(me: () => number | null): ChatStore {
	const owner = me();
	if (!store || store.owner !== owner) {
		store?.chats.stop();
		store = { owner, chats: new ChatStore({ me }) };
		store.chats.start();
	}
	return store.chats;
}
