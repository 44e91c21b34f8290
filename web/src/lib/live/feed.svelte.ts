/**
 * The state of one list of posts (the home feed, or a channel's, group's or blog's posts).
 *
 * - Pages come from a `load(cursor)` function; pinned posts come on top of the first page.
 * - Live arrivals (`post.created`) wait in a "N new posts" pill until the reader reveals them:
 *   nothing moves under the reader's eyes. The reader's own posts are shown at once.
 * - Edits, deletions, pins, counts (comments, reactions, views) apply in place.
 * - After a reconnect with `reset`, the first page is loaded again: unknown posts go into the
 *   pill, known ones are refreshed in place.
 * - Kept in a module-level cache, so going to a post and pressing Back finds the same pages.
 */
import { api, ApiError, type components } from '$lib/api/client';
import { live } from '$lib/live/socket.svelte';

export type Post = components['schemas']['PostOut'];
export type Page = { items: Post[]; next_cursor: string | null };
export type Loader = (cursor: string | null) => Promise<Page>;

/** Where a post lives, from a live event or from a post. */
export type PostPlace = { post_id: number; author_id: number; group_id?: number | null; channel_id?: number | null };
export type Belongs = (place: PostPlace) => boolean;

export const EMOJIS = ['like', 'heart', 'laugh', 'wow', 'sad', 'party', 'clap', 'fire'] as const;
export type Emoji = (typeof EMOJIS)[number];
export const EMOJI_CHAR: Record<Emoji, string> = {
	like: '👍',
	heart: '❤️',
	laugh: '😂',
	wow: '😮',
	sad: '😢',
	party: '🎉',
	clap: '👏',
	fire: '🔥'
};

/** What the store asks of the server besides pages (replaced in unit tests). */
export type Backend = {
	fetchPost(id: number): Promise<Post>;
	react(id: number, emoji: string, on: boolean): Promise<{ reactions: Record<string, number>; my_reactions: string[] }>;
};

export const backend: Backend = {
	async fetchPost(id) {
		const { data } = await api.GET('/api/posts/{id}', { params: { path: { id } } });
		return data!;
	},
	async react(id, emoji, on) {
		// The store only ever offers the server's names (EMOJIS).
		const params = { params: { path: { id, emoji: emoji as Emoji } } };
		const { data } = on
			? await api.PUT('/api/posts/{id}/reactions/{emoji}', params)
			: await api.DELETE('/api/posts/{id}/reactions/{emoji}', params);
		return data!;
	}
};

export function placeOf(post: Post): PostPlace {
	return {
		post_id: post.id,
		author_id: post.author.id,
		group_id: post.group?.id ?? null,
		channel_id: post.channel?.id ?? null
	};
}

/**
 * Add or take back a reaction at once, then ask the server; on refusal the post goes back
 * to what it was and the error is returned (the caller shows its message).
 */
export async function toggleReaction(post: Post, emoji: string, server: Backend = backend): Promise<unknown> {
	const on = !post.my_reactions.includes(emoji);
	const before = { reactions: { ...post.reactions }, my: [...post.my_reactions], count: post.reaction_count };
	const n = (post.reactions[emoji] ?? 0) + (on ? 1 : -1);
	const reactions = { ...post.reactions };
	if (n > 0) reactions[emoji] = n;
	else delete reactions[emoji];
	post.reactions = reactions;
	post.my_reactions = on ? [...post.my_reactions, emoji] : post.my_reactions.filter((e) => e !== emoji);
	post.reaction_count = Math.max(0, before.count + (on ? 1 : -1));
	try {
		const answer = await server.react(post.id, emoji, on);
		applyCounts(post, answer.reactions);
		post.my_reactions = answer.my_reactions;
		return null;
	} catch (error) {
		post.reactions = before.reactions;
		post.my_reactions = before.my;
		post.reaction_count = before.count;
		return error;
	}
}

function applyCounts(post: Post, counts: Record<string, number>): void {
	const clean: Record<string, number> = {};
	for (const [k, v] of Object.entries(counts)) if (v > 0) clean[k] = v;
	post.reactions = clean;
	post.reaction_count = Object.values(clean).reduce((a, b) => a + b, 0);
}

/** Live events that change a post in place; shared by the feed and the post page. */
export function applyToPost(post: Post, event: string, payload: any, meId: number | null): void {
	if (payload?.post_id !== post.id) return;
	if (event === 'reaction.changed' && payload.comment_id == null) {
		applyCounts(post, payload.counts ?? {});
		if (meId !== null && payload.actor_id === meId) {
			const mine = new Set(post.my_reactions);
			if (payload.added) mine.add(payload.emoji);
			else mine.delete(payload.emoji);
			post.my_reactions = [...mine];
		}
	} else if (event === 'comment.created') {
		post.comment_count += 1;
	} else if (event === 'post.views') {
		if (typeof payload.views === 'number' && payload.views > post.view_count) post.view_count = payload.views;
	} else if (event === 'post.pinned') {
		post.pinned = !!payload.pinned;
		post.banner = !!payload.banner;
	}
}

export type FeedOptions = {
	/** Which live `post.created` events belong to this list (all of them when absent). */
	belongs?: Belongs;
	/** Who is reading (their own posts are shown at once). */
	me?: () => number | null;
	/** Pages loaded by scrolling before a "Load more" button takes over. */
	autoPages?: number;
	server?: Backend;
};

export class FeedStore {
	posts = $state<Post[]>([]);
	/** Ids of posts that arrived live and wait behind the pill. */
	pending = $state<number[]>([]);
	cursor = $state<string | null>(null);
	done = $state(false);
	loaded = $state(false);
	loading = $state(false);
	error = $state<unknown>(null);
	/** An error of the latest page below the first, shown under the list. */
	moreError = $state<unknown>(null);
	/** A short message for a refused action (a reaction the server did not take). */
	notice = $state<string | null>(null);
	pages = $state(0);
	/** The post at the top of the window when the reader left, and its offset. */
	anchor: { id: number; offset: number } | null = null;
	createdAt = Date.now();

	readonly load: Loader;
	readonly belongs: Belongs;
	readonly me: () => number | null;
	readonly autoPages: number;
	readonly server: Backend;
	#generation = 0;

	constructor(load: Loader, options: FeedOptions = {}) {
		this.load = load;
		this.belongs = options.belongs ?? (() => true);
		this.me = options.me ?? (() => null);
		this.autoPages = options.autoPages ?? 3;
		this.server = options.server ?? backend;
	}

	get pendingCount(): number {
		return this.pending.length;
	}

	/** True while scrolling may load the next page by itself. */
	get autoLoad(): boolean {
		return !this.done && this.pages < this.autoPages;
	}

	has(id: number): boolean {
		return this.posts.some((p) => p.id === id);
	}

	find(id: number): Post | undefined {
		return this.posts.find((p) => p.id === id);
	}

	async loadFirst(): Promise<void> {
		const generation = ++this.#generation;
		this.loading = true;
		this.error = null;
		try {
			const page = await this.load(null);
			if (generation !== this.#generation) return;
			this.posts = dedupe(page.items);
			this.cursor = page.next_cursor;
			this.done = page.next_cursor === null;
			this.pages = 1;
			this.pending = [];
			this.loaded = true;
		} catch (error) {
			if (generation === this.#generation) this.error = error;
		} finally {
			if (generation === this.#generation) this.loading = false;
		}
	}

	async loadMore(): Promise<void> {
		if (this.loading || this.done || !this.loaded) return;
		const generation = this.#generation;
		this.loading = true;
		this.moreError = null;
		try {
			const page = await this.load(this.cursor);
			if (generation !== this.#generation) return;
			const known = new Set(this.posts.map((p) => p.id));
			this.posts = [...this.posts, ...page.items.filter((p) => !known.has(p.id) && !p.pinned)];
			this.cursor = page.next_cursor;
			this.done = page.next_cursor === null;
			this.pages += 1;
		} catch (error) {
			if (generation === this.#generation) this.moreError = error;
		} finally {
			if (generation === this.#generation) this.loading = false;
		}
	}

	/** A `post.created` event. */
	created(payload: PostPlace): void {
		if (!payload || typeof payload.post_id !== 'number' || !this.belongs(payload)) return;
		const id = payload.post_id;
		// Mine, waiting for approval, and now approved: shown as everyone sees it.
		if (this.find(id)?.held) void this.updated(payload);
		if (this.has(id) || this.pending.includes(id)) return;
		const me = this.me();
		if (me !== null && payload.author_id === me) {
			// Mine (perhaps from another tab): shown at once, like `addMine`.
			void this.server.fetchPost(id).then(
				(post) => this.addMine(post),
				() => {}
			);
			return;
		}
		this.pending = [...this.pending, id];
	}

	/** A post I just wrote: on top at once (below the pinned ones), no pill. */
	addMine(post: Post): void {
		if (!this.belongs(placeOf(post))) return;
		this.pending = this.pending.filter((id) => id !== post.id);
		if (this.has(post.id)) return;
		this.#putOnTop([post]);
	}

	/**
	 * The reader clicked the pill: the new posts go on top. The first page is loaded again
	 * (it holds the newest posts and fresh counts); what it does not hold is fetched alone.
	 */
	async reveal(): Promise<void> {
		const waiting = [...this.pending];
		if (waiting.length === 0) return;
		try {
			const page = await this.load(null);
			const known = new Set(this.posts.map((p) => p.id));
			const fresh = page.items.filter((p) => !known.has(p.id));
			const got = new Set(fresh.map((p) => p.id));
			const missing = waiting.filter((id) => !got.has(id) && !known.has(id));
			const extra = await Promise.all(missing.map((id) => this.server.fetchPost(id).catch(() => null)));
			const newOnes = [...fresh, ...extra.filter((p): p is Post => p !== null)].sort((a, b) => b.id - a.id);
			this.#refresh(page.items);
			this.#putOnTop(newOnes);
			this.pending = this.pending.filter((id) => !waiting.includes(id));
		} catch (error) {
			this.notice = error instanceof ApiError ? error.detail : null;
		}
	}

	/**
	 * After a reconnect that may have lost events (`reset`), or when the list is shown again
	 * after a while: new posts of the first page go into the pill, known posts are refreshed,
	 * posts no longer there (deleted) leave.
	 */
	async checkNew(): Promise<void> {
		if (!this.loaded) return this.loadFirst();
		try {
			const page = await this.load(null);
			const known = new Set(this.posts.map((p) => p.id));
			const oldestOnPage = page.items.filter((p) => !p.pinned).at(-1)?.id ?? Infinity;
			const now = new Set(page.items.map((p) => p.id));
			// A known post newer than the oldest of the fresh page that is not on it is gone.
			this.posts = this.posts.filter((p) => p.pinned || p.id < oldestOnPage || now.has(p.id));
			this.#refresh(page.items);
			const me = this.me();
			for (const post of page.items) {
				if (known.has(post.id) || this.pending.includes(post.id)) continue;
				if (post.pinned || (me !== null && post.author.id === me)) this.#putOnTop([post]);
				else this.pending = [...this.pending, post.id];
			}
		} catch {
			/* the connection banner says what is wrong; the list stays as it is */
		}
	}

	/** `post.updated`: the post is fetched again and replaced where it is. */
	async updated(payload: PostPlace): Promise<void> {
		if (!this.has(payload?.post_id)) return;
		try {
			const post = await this.server.fetchPost(payload.post_id);
			this.#refresh([post]);
		} catch (error) {
			if (error instanceof ApiError && error.notFound) this.deleted(payload);
		}
	}

	deleted(payload: { post_id: number }): void {
		this.posts = this.posts.filter((p) => p.id !== payload?.post_id);
		this.pending = this.pending.filter((id) => id !== payload?.post_id);
	}

	/** Counts, reactions, pins: applied to the post in place. */
	apply(event: string, payload: any): void {
		const post = this.find(payload?.post_id);
		if (post) applyToPost(post, event, payload, this.me());
	}

	async react(post: Post, emoji: string, refused: string): Promise<void> {
		this.notice = null;
		const error = await toggleReaction(post, emoji, this.server);
		if (error) this.notice = error instanceof ApiError && error.detail ? error.detail : refused;
	}

	/** Listen to the live events of this list; returns the function that stops. */
	attach(): () => void {
		const offs = [
			live.on('post.created', (p) => this.created(p)),
			live.on('post.updated', (p) => void this.updated(p)),
			live.on('post.deleted', (p) => this.deleted(p)),
			live.on('post.pinned', (p) => {
				this.apply('post.pinned', p);
				if (p?.pinned && !this.has(p.post_id)) void this.checkNew();
			}),
			...['reaction.changed', 'comment.created', 'post.views'].map((e) => live.on(e, (p) => this.apply(e, p))),
			live.onResync((reset) => {
				if (reset) void this.checkNew();
			})
		];
		return () => offs.forEach((off) => off());
	}

	#refresh(items: Post[]): void {
		const byId = new Map(items.map((p) => [p.id, p]));
		this.posts = this.posts.map((p) => byId.get(p.id) ?? p);
	}

	#putOnTop(items: Post[]): void {
		if (items.length === 0) return;
		const ids = new Set(items.map((p) => p.id));
		const rest = this.posts.filter((p) => !ids.has(p.id));
		const pinned = rest.filter((p) => p.pinned);
		const others = rest.filter((p) => !p.pinned);
		const newPinned = items.filter((p) => p.pinned);
		const newOthers = items.filter((p) => !p.pinned);
		this.posts = [...newPinned, ...pinned, ...newOthers, ...others];
	}
}

function dedupe(items: Post[]): Post[] {
	const seen = new Set<number>();
	return items.filter((p) => (seen.has(p.id) ? false : (seen.add(p.id), true)));
}

// -- the cache of lists, so Back finds the same pages -----------------------------------------

const MAX_AGE_MS = 30 * 60 * 1000;
const cache = new Map<string, FeedStore>();

/** The list kept under `key`, or a new one (the oldest of more than 6 is dropped). */
export function feedFor(key: string, make: () => FeedStore): FeedStore {
	const kept = cache.get(key);
	if (kept && Date.now() - kept.createdAt < MAX_AGE_MS && !kept.error) {
		cache.delete(key);
		cache.set(key, kept);
		return kept;
	}
	const store = make();
	cache.set(key, store);
	while (cache.size > 6) cache.delete(cache.keys().next().value!);
	return store;
}

/** The composer calls this with the post it just created: every list it belongs to shows it. */
export function addMine(post: Post): void {
	for (const store of cache.values()) store.addMine(post);
}

/** Forget every kept list (signing out). */
export function clearFeeds(): void {
	cache.clear();
}

export const feed = { addMine, clearFeeds };
