/**
 * The home feed's first page, asked for while the shell is still learning who is signed in
 * (`/api/me`), so the two requests overlap instead of following each other: the signed-in
 * shell calls `prefetchFeed()` when it starts on /feed, the feed's loader takes it once.
 * A copy older than a few seconds is never used (the loader asks again).
 */
import { api } from '$lib/api/client';

type FeedAnswer = ReturnType<typeof fetchFirstPage>;

const FRESH_MS = 5000;
let pending: { at: number; answer: FeedAnswer } | null = null;

function fetchFirstPage() {
	return api.GET('/api/feed', { params: { query: {} } });
}

export function prefetchFeed(): void {
	const answer = fetchFirstPage();
	answer.catch(() => {}); // whoever takes it sees the error; nobody may
	pending = { at: Date.now(), answer };
}

/** The prefetched first page, once; null when there is none or it is stale. */
export function takePrefetchedFeed(): FeedAnswer | null {
	const found = pending;
	pending = null;
	return found && Date.now() - found.at < FRESH_MS ? found.answer : null;
}
