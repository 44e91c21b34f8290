/**
 * Who is online, away or offline, live, for the people the open screens show.
 *
 * The server sends a socket `presence.changed` only for the people it watches, and
 * `presence.watch` replaces that socket's whole list (at most 500). So every component
 * that shows someone's presence asks `presence.watch(ids)` (released when it goes), the
 * store counts the wishes and sends one list; the acknowledgement carries the current
 * states. On every (re)connect the list is sent again. Without a connection the states
 * come from `GET /api/presence`.
 */
import { api } from '$lib/api/client';
import { live } from './socket.svelte';

export type PresenceState = 'online' | 'away' | 'offline';
export type PresenceEntry = { id: number; state: PresenceState; last_seen: number | null };

const MAX_WATCHED = 500;

export class PresenceStore {
	/** id -> the latest known entry; absent: not known yet (shown as offline). */
	entries = $state<Record<number, PresenceEntry>>({});

	#wanted = new Map<number, number>();
	#sendScheduled = false;
	#started = false;
	#sent = '';

	/** Follow these people while the caller shows them; returns the function that stops. */
	watch(ids: Iterable<number>): () => void {
		const list = [...new Set(ids)].filter((id) => Number.isInteger(id) && id > 0);
		for (const id of list) this.#wanted.set(id, (this.#wanted.get(id) ?? 0) + 1);
		this.#start();
		this.#schedule();
		let released = false;
		return () => {
			if (released) return;
			released = true;
			for (const id of list) {
				const n = (this.#wanted.get(id) ?? 0) - 1;
				if (n > 0) this.#wanted.set(id, n);
				else this.#wanted.delete(id);
			}
			this.#schedule();
		};
	}

	stateOf(id: number | null | undefined): PresenceState {
		if (id == null) return 'offline';
		return this.entries[id]?.state ?? 'offline';
	}

	lastSeen(id: number | null | undefined): number | null {
		if (id == null) return null;
		return this.entries[id]?.last_seen ?? null;
	}

	/** Apply a list of changes (from `presence.changed` or an answer). */
	apply(changes: PresenceEntry[]): void {
		for (const change of changes) {
			const known = this.entries[change.id];
			if (known && known.state === change.state && known.last_seen === change.last_seen) continue;
			this.entries[change.id] = { id: change.id, state: change.state, last_seen: change.last_seen };
		}
	}

	/** The ids being watched now (for tests and the send). */
	watched(): number[] {
		return [...this.#wanted.keys()].slice(0, MAX_WATCHED);
	}

	#start(): void {
		if (this.#started || typeof window === 'undefined') return;
		this.#started = true;
		live.on('presence.changed', (payload: { changes?: PresenceEntry[] }) => this.apply(payload.changes ?? []));
		// A new socket watches nobody: send the list again each time the connection is back.
		$effect.root(() => {
			$effect(() => {
				if (live.state === 'online') {
					this.#sent = '';
					this.#schedule();
				}
			});
		});
	}

	#schedule(): void {
		if (this.#sendScheduled) return;
		this.#sendScheduled = true;
		// Several components mount in one go: one message for all of them.
		queueMicrotask(() => {
			this.#sendScheduled = false;
			void this.#send();
		});
	}

	async #send(): Promise<void> {
		const ids = this.watched();
		const key = ids.join(',');
		if (key === this.#sent) return;
		if (live.state === 'online') {
			try {
				this.#sent = key;
				const answer = await live.request<{ ok: boolean; states?: PresenceEntry[] }>('presence.watch', { ids });
				if (answer.ok && answer.states) this.apply(answer.states);
				else this.#sent = '';
				return;
			} catch {
				this.#sent = '';
			}
		}
		// Not connected (yet): read the states over HTTP; the socket sends changes later.
		const unknown = ids.filter((id) => !(id in this.entries));
		if (!unknown.length) return;
		try {
			const { data } = await api.GET('/api/presence', { params: { query: { ids: unknown.join(',') } } });
			if (data) this.apply(data.people as PresenceEntry[]);
		} catch {
			/* shown as offline until the connection is back */
		}
	}
}

export const presence = new PresenceStore();
