/**
 * The stories bar's state: live stories as rings by author (GET /api/stories), refreshed
 * when a colleague posts one (`story.created`) or after a reconnect that may have missed
 * events. Seeing a story marks it here at once and on the server (POST .../view).
 */
import { api, ApiError, type components } from '$lib/api/client';
import { live } from '$lib/live/socket.svelte';

export type Ring = components['schemas']['RingOut'];
export type Story = components['schemas']['StoryOut'];

/** Where the viewer is: which ring and which story of it. */
export type Position = { ring: number; story: number };

/** The next story after `at`: the ring's next, else the next ring's first unseen (or first). */
export function nextPosition(rings: Ring[], at: Position): Position | null {
	const ring = rings[at.ring];
	if (!ring) return null;
	if (at.story + 1 < ring.stories.length) return { ring: at.ring, story: at.story + 1 };
	const following = rings[at.ring + 1];
	return following ? { ring: at.ring + 1, story: firstUnseen(following) } : null;
}

/** The story before `at`: the ring's previous, else the previous ring's first. */
export function previousPosition(rings: Ring[], at: Position): Position | null {
	if (at.story > 0) return { ring: at.ring, story: at.story - 1 };
	return at.ring > 0 ? { ring: at.ring - 1, story: 0 } : null;
}

/** Where to start in a ring: its first story not seen yet (all seen: the first). */
export function firstUnseen(ring: Ring): number {
	const index = ring.stories.findIndex((s) => !s.seen);
	return index < 0 ? 0 : index;
}

export class StoriesStore {
	rings = $state<Ring[]>([]);
	loaded = $state(false);
	loading = $state(false);
	error = $state<unknown>(null);
	#generation = 0;

	async load(): Promise<void> {
		const generation = ++this.#generation;
		this.loading = true;
		this.error = null;
		try {
			const { data } = await api.GET('/api/stories');
			if (generation !== this.#generation) return;
			this.rings = data?.rings ?? [];
			this.loaded = true;
		} catch (error) {
			if (generation === this.#generation) this.error = error;
		} finally {
			if (generation === this.#generation) this.loading = false;
		}
	}

	/** Seen by me: the ring's colour changes at once; the server is told once. */
	async seen(story: Story, meId: number | null): Promise<void> {
		if (story.seen || story.author_id === meId) return;
		story.seen = true;
		const ring = this.rings.find((r) => r.author.id === story.author_id);
		if (ring) ring.all_seen = ring.stories.every((s) => s.seen);
		try {
			await api.POST('/api/stories/{id}/view', { params: { path: { id: story.id } } });
		} catch (error) {
			// Gone meanwhile (expired, deleted): the bar is refreshed. Otherwise it stays seen here.
			if (error instanceof ApiError && error.notFound) void this.load();
		}
	}

	attach(): () => void {
		const offs = [
			live.on('story.created', () => void this.load()),
			live.onResync((reset) => {
				if (reset) void this.load();
			})
		];
		return () => offs.forEach((off) => off());
	}
}

export const stories = new StoriesStore();
