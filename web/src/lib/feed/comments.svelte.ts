/**
 * The comments of one post: oldest first, in pages, with one level of replies (a reply
 * to a reply hangs under the same top-level comment, as the server stores it).
 */
import { api, type components } from '$lib/api/client';

export type Comment = components['schemas']['CommentOut'];
export type CommentPage = { items: Comment[]; next_cursor: string | null };
export type CommentLoader = (after: number) => Promise<CommentPage>;
export type Thread = { comment: Comment; replies: Comment[] };

export function commentLoader(postId: number): CommentLoader {
	return async (after) => {
		const { data } = await api.GET('/api/posts/{id}/comments', {
			params: { path: { id: postId }, query: after ? { cursor: after, limit: 50 } : { limit: 50 } }
		});
		return data!;
	};
}

/** Top-level comments in order, each with its replies in order. */
export function threadsOf(comments: Comment[]): Thread[] {
	const byId = new Map(comments.map((c) => [c.id, c]));
	const threads = new Map<number, Thread>();
	const orphans: Thread[] = [];
	for (const c of [...comments].sort((a, b) => a.id - b.id)) {
		if (c.parent_id === null) threads.set(c.id, { comment: c, replies: [] });
	}
	for (const c of [...comments].sort((a, b) => a.id - b.id)) {
		if (c.parent_id === null) continue;
		// Climb to the top-level comment (one level shown); a parent not loaded yet keeps
		// the reply visible on its own rather than losing it.
		let root = byId.get(c.parent_id);
		while (root && root.parent_id !== null) root = byId.get(root.parent_id);
		const thread = root ? threads.get(root.id) : undefined;
		if (thread) thread.replies.push(c);
		else orphans.push({ comment: c, replies: [] });
	}
	return [...threads.values(), ...orphans].sort((a, b) => a.comment.id - b.comment.id);
}

export class CommentsStore {
	items = $state<Comment[]>([]);
	loaded = $state(false);
	loading = $state(false);
	error = $state<unknown>(null);
	/** The cursor of the next page; null when every comment up to now is loaded. */
	next = $state<string | null>(null);
	readonly load: CommentLoader;

	constructor(load: CommentLoader) {
		this.load = load;
	}

	get threads(): Thread[] {
		return threadsOf(this.items);
	}

	get lastId(): number {
		return this.items.reduce((max, c) => Math.max(max, c.id), 0);
	}

	async loadFirst(): Promise<void> {
		this.loading = true;
		this.error = null;
		try {
			const page = await this.load(0);
			this.items = page.items;
			this.next = page.next_cursor;
			this.loaded = true;
		} catch (error) {
			this.error = error;
		} finally {
			this.loading = false;
		}
	}

	async loadMore(): Promise<void> {
		if (this.loading || !this.next) return;
		this.loading = true;
		try {
			const page = await this.load(Number(this.next));
			this.#merge(page.items);
			this.next = page.next_cursor;
		} catch (error) {
			this.error = error;
		} finally {
			this.loading = false;
		}
	}

	/**
	 * A `comment.created` for this post (or a resync): when every page is loaded, fetch what
	 * came after the last one shown; otherwise the "more" button will bring it.
	 */
	async fetchNew(): Promise<void> {
		if (!this.loaded || this.next) return;
		try {
			let after = this.lastId;
			for (let i = 0; i < 10; i++) {
				const page = await this.load(after);
				this.#merge(page.items);
				if (!page.next_cursor) break;
				after = Number(page.next_cursor);
			}
		} catch {
			/* the connection banner says what is wrong; the next event or a reload brings them */
		}
	}

	add(comment: Comment): void {
		this.#merge([comment]);
	}

	replace(comment: Comment): void {
		this.items = this.items.map((c) => (c.id === comment.id ? comment : c));
	}

	remove(id: number): void {
		this.items = this.items.filter((c) => c.id !== id);
	}

	#merge(items: Comment[]): void {
		const known = new Set(this.items.map((c) => c.id));
		const fresh = items.filter((c) => !known.has(c.id));
		if (fresh.length) this.items = [...this.items, ...fresh];
	}
}
