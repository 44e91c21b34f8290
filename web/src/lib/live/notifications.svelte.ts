/**
 * The notification centre's list: pages from `GET /api/notifications`, new ones live (the
 * `notification` event is a hint: the page is read again, so each row has its actor), and
 * reading, one or all at once. Reading is optimistic: the rows and the bell's count change
 * at once and go back, with the server's reason, when the server refuses.
 */
import { api } from '$lib/api/client';
import type { Notification } from '$lib/notify/describe';
import { live } from './socket.svelte';
import { unread } from './unread.svelte';

export type Page = { items: Notification[]; unread_count: number; next_cursor: string | null };

export type NotifyBackend = {
	page(cursor: string | null): Promise<Page>;
	markRead(ids: number[] | null): Promise<number>;
};

export const notifyBackend: NotifyBackend = {
	async page(cursor) {
		const query = cursor ? { cursor: Number(cursor), limit: 30 } : { limit: 30 };
		const { data } = await api.GET('/api/notifications', { params: { query } });
		return data!;
	},
	async markRead(ids) {
		const { data } = await api.POST('/api/notifications/read', { body: ids ? { ids } : {} });
		return data!.marked;
	}
};

/** The count the bell shows, as the store changes it (the live one in the app). */
export type Counter = { count: number };

export class NotificationStore {
	items = $state<Notification[]>([]);
	loaded = $state(false);
	loading = $state(false);
	error = $state<unknown>(null);
	moreError = $state<unknown>(null);
	next = $state<string | null>(null);
	/** The newest notification that arrived while the page was open, for the live region. */
	arrived = $state<Notification | null>(null);

	#server: NotifyBackend;
	#counter: Counter;

	constructor(server: NotifyBackend = notifyBackend, counter: Counter = unread) {
		this.#server = server;
		this.#counter = counter;
	}

	get unreadHere(): number {
		return this.items.filter((n) => !n.read_at).length;
	}

	/** Listen to live events while the page shows the list; returns the function that stops. */
	attach(): () => void {
		const offs = [
			live.on('notification', () => void this.refresh(true)),
			live.onResync(() => void this.refresh(false))
		];
		return () => offs.forEach((off) => off());
	}

	async load(): Promise<void> {
		this.loading = true;
		this.error = null;
		try {
			const page = await this.#server.page(null);
			this.items = page.items;
			this.next = page.next_cursor;
			this.#counter.count = page.unread_count;
			this.loaded = true;
		} catch (error) {
			this.error = error;
		} finally {
			this.loading = false;
		}
	}

	/** Read the first page again and put what is new on top, keeping older pages loaded. */
	async refresh(announce: boolean): Promise<void> {
		if (!this.loaded) return this.load();
		try {
			const page = await this.#server.page(null);
			const known = new Map(this.items.map((n) => [n.id, n]));
			const fresh = page.items.filter((n) => !known.has(n.id));
			// Rows this tab already holds take the server's read state (read in another tab).
			for (const n of page.items) {
				const mine = known.get(n.id);
				if (mine) mine.read_at = n.read_at;
			}
			if (fresh.length) {
				this.items = [...fresh, ...this.items].sort((a, b) => b.id - a.id);
				if (announce) this.arrived = fresh[0] ?? null;
			}
			this.#counter.count = page.unread_count;
		} catch {
			/* the banner says we are offline; the list comes back with the connection */
		}
	}

	async loadMore(): Promise<void> {
		if (!this.next || this.loading) return;
		this.loading = true;
		this.moreError = null;
		try {
			const page = await this.#server.page(this.next);
			const known = new Set(this.items.map((n) => n.id));
			this.items = [...this.items, ...page.items.filter((n) => !known.has(n.id))];
			this.next = page.next_cursor;
		} catch (error) {
			this.moreError = error;
		} finally {
			this.loading = false;
		}
	}

	/** Mark one read (opening it): at once, and back with the error if the server refuses. */
	async markRead(n: Notification): Promise<unknown> {
		if (n.read_at) return null;
		return this.#mark([n]);
	}

	async markAllRead(): Promise<unknown> {
		const unreadRows = this.items.filter((n) => !n.read_at);
		if (!unreadRows.length && this.#counter.count === 0) return null;
		return this.#mark(unreadRows, true);
	}

	async #mark(rows: Notification[], all = false): Promise<unknown> {
		const now = new Date().toISOString();
		const countBefore = this.#counter.count;
		for (const n of rows) n.read_at = now;
		this.#counter.count = all ? 0 : Math.max(0, countBefore - rows.length);
		try {
			await this.#server.markRead(all ? null : rows.map((n) => n.id));
			return null;
		} catch (error) {
			for (const n of rows) n.read_at = null;
			this.#counter.count = countBefore;
			return error;
		}
	}
}
