/**
 * The one Socket.IO connection of this tab. Its state (online, reconnecting, offline) is a
 * store of its own, shown by the connection banner, and never confused with "empty" or
 * "failed to load". Stores register what they listen to with `on()`; after every reconnect
 * the missed events are replayed from the server's cursor (`sync`), or, when the server
 * says some may be gone (`reset`), each store reloads its data through `onResync()`.
 */
import type { Socket } from 'socket.io-client';

export type ConnectionState = 'connecting' | 'online' | 'reconnecting' | 'offline';

type Handler = (payload: any) => void;
type Resync = (reset: boolean) => void;
type SyncAnswer = {
	ok: boolean;
	events?: { event: string; data: unknown }[];
	reset?: boolean;
	seq?: number;
};

class Live {
	state = $state<ConnectionState>('connecting');
	/** True for a few seconds after coming back, so the banner can say so. */
	justReconnected = $state(false);
	/** Highest `seq` applied: the cursor for what was missed. */
	lastSeq = 0;

	#socket: Socket | null = null;
	#seen = new Set<number>();
	#watched = new Set<string>();
	#handlers = new Map<string, Set<Handler>>();
	#resyncs = new Set<Resync>();
	#everConnected = false;
	#backTimer: ReturnType<typeof setTimeout> | undefined;
	#onSessionEnded: (() => void) | null = null;

	#opening = 0; // the connect() in flight; disconnect() makes it stale

	connect(onSessionEnded: () => void): void {
		if (this.#socket || this.#opening) return;
		this.#onSessionEnded = onSessionEnded;
		const opening = ++this.#generation;
		this.#opening = opening;
		// socket.io-client is ~13 KB gzip: it loads beside the first page, never before it.
		void import('socket.io-client').then(({ io }) => {
			if (this.#opening !== opening) return;
			this.#opening = 0;
			this.#open(io);
		});
	}

	#generation = 0;

	#open(io: typeof import('socket.io-client').io): void {
		const socket = io({
			transports: ['websocket', 'polling'],
			reconnection: true,
			reconnectionDelay: 1000,
			reconnectionDelayMax: 30000,
			randomizationFactor: 0.5,
			withCredentials: true
		});
		this.#socket = socket;
		socket.on('connect', () => this.#connected());
		socket.on('disconnect', (reason) => {
			this.#lost();
			// The server closed this socket itself (a restart, a node going away): Socket.IO
			// does not retry that on its own. A session that ended says so first (session.ended).
			if (reason === 'io server disconnect') socket.connect();
		});
		socket.on('connect_error', (error: Error & { data?: { code?: string } }) => {
			const code = error.data?.code;
			if (code === 'not_authenticated' || code === 'session_expired' || code === 'account_dismissed') {
				this.disconnect();
				this.#onSessionEnded?.();
				return;
			}
			this.#lost();
		});
		socket.on('session.ended', () => {
			this.disconnect();
			this.#onSessionEnded?.();
		});
		socket.onAny((event: string, payload: unknown) => this.#dispatch(event, payload));
		if (typeof window !== 'undefined') {
			window.addEventListener('offline', this.#browserOffline);
			window.addEventListener('online', this.#browserOnline);
		}
	}

	disconnect(): void {
		this.#opening = 0;
		this.#socket?.removeAllListeners();
		this.#socket?.disconnect();
		this.#socket = null;
		this.#everConnected = false;
		this.state = 'connecting';
		if (typeof window !== 'undefined') {
			window.removeEventListener('offline', this.#browserOffline);
			window.removeEventListener('online', this.#browserOnline);
		}
	}

	/** Listen to one server event; returns the function that stops listening. */
	on(event: string, handler: Handler): () => void {
		let set = this.#handlers.get(event);
		if (!set) this.#handlers.set(event, (set = new Set()));
		set.add(handler);
		return () => set.delete(handler);
	}

	/** Called after every reconnect: `reset` means some events may be lost, reload. */
	onResync(handler: Resync): () => void {
		this.#resyncs.add(handler);
		return () => this.#resyncs.delete(handler);
	}

	/** Send a client message and wait for its acknowledgement. */
	async request<T = any>(event: string, payload: unknown, timeoutMs = 5000): Promise<T> {
		const socket = this.#socket;
		if (!socket || !socket.connected) throw new Error('offline');
		return (await socket.timeout(timeoutMs).emitWithAck(event, payload)) as T;
	}

	/**
	 * Get a place's live events while a page shows it (a public group not joined, a blog
	 * not followed). Kept across reconnects; returns the function that stops watching.
	 */
	watch(place: 'group' | 'blog' | 'channel', id: number): () => void {
		const key = `${place}:${id}`;
		this.#watched.add(key);
		void this.#sendWatch('watch', key);
		return () => {
			this.#watched.delete(key);
			void this.#sendWatch('unwatch', key);
		};
	}

	async #sendWatch(message: 'watch' | 'unwatch', key: string): Promise<void> {
		const [place, id] = key.split(':');
		try {
			await this.request(message, { place, id: Number(id) });
		} catch {
			/* not connected: sent again on connect */
		}
	}

	emit(event: string, payload: unknown): void {
		this.#socket?.emit(event, payload);
	}

	#dispatch(event: string, payload: unknown): void {
		const seq = (payload as { seq?: unknown } | null)?.seq;
		if (typeof seq === 'number') {
			// Events from several processes may arrive slightly out of order, so duplicates
			// (a replay overlapping live delivery) are recognised by id, not by "<= last".
			if (this.#seen.has(seq)) return;
			this.#seen.add(seq);
			if (this.#seen.size > 2000) this.#seen.delete(this.#seen.values().next().value!);
			if (seq > this.lastSeq) this.lastSeq = seq;
		}
		for (const handler of this.#handlers.get(event) ?? []) handler(payload);
	}

	async #connected(): Promise<void> {
		const wasBack = this.#everConnected;
		this.#everConnected = true;
		this.state = 'online';
		if (!wasBack) {
			await Promise.all([...this.#watched].map((key) => this.#sendWatch('watch', key)));
			// Learn the server's cursor without replaying anything: the page loads its data
			// over HTTP now, and only what happens from here on is "missed" later.
			try {
				const answer = await this.request<{ seq?: number }>('sync', { since: Number.MAX_SAFE_INTEGER });
				if (typeof answer.seq === 'number' && answer.seq > this.lastSeq) this.lastSeq = answer.seq;
			} catch {
				/* a reconnect will reload instead */
			}
			return;
		}
		this.justReconnected = true;
		clearTimeout(this.#backTimer);
		this.#backTimer = setTimeout(() => (this.justReconnected = false), 4000);
		let reset = false;
		// Watches end with the socket: ask again before the replay, which covers them.
		await Promise.all([...this.#watched].map((key) => this.#sendWatch('watch', key)));
		if (!reset) {
			try {
				const answer = await this.request<SyncAnswer>('sync', { since: this.lastSeq });
				if (!answer.ok || answer.reset) reset = true;
				for (const item of answer.events ?? []) this.#dispatch(item.event, item.data);
				if (typeof answer.seq === 'number' && answer.seq > this.lastSeq) this.lastSeq = answer.seq;
			} catch {
				reset = true;
			}
		}
		if (reset) for (const resync of this.#resyncs) resync(true);
	}

	#lost(): void {
		const offline = typeof navigator !== 'undefined' && navigator.onLine === false;
		this.state = offline ? 'offline' : 'reconnecting';
	}

	#browserOffline = () => {
		this.state = 'offline';
	};
	#browserOnline = () => {
		const socket = this.#socket;
		if (!socket) return;
		// The socket may have survived a short loss of network: then it is online again.
		if (socket.connected) this.state = 'online';
		else {
			if (this.state === 'offline') this.state = 'reconnecting';
			// Try now rather than at the end of the back-off wait (up to 30 s by then).
			socket.disconnect();
			socket.connect();
		}
	};
}

export const live = new Live();
