import { api } from '$lib/api/client';

// A post counts one view per person on the server; the tab still sends each id once.
const sent = new Set<number>();
const SEEN_AFTER_MS = 1000;

/**
 * Count a view when at least half the post stays on screen for a second (a post scrolled
 * past does not count). Returns the function that stops watching.
 */
export function watchViews(element: HTMLElement, postId: number): () => void {
	if (sent.has(postId) || typeof IntersectionObserver === 'undefined') return () => {};
	let timer: ReturnType<typeof setTimeout> | null = null;
	const observer = new IntersectionObserver(
		([entry]) => {
			if (entry?.isIntersecting) {
				timer ??= setTimeout(() => {
					observer.disconnect();
					if (sent.has(postId)) return;
					sent.add(postId);
					api.POST('/api/posts/{id}/view', { params: { path: { id: postId } } }).catch(() => sent.delete(postId));
				}, SEEN_AFTER_MS);
			} else if (timer) {
				clearTimeout(timer);
				timer = null;
			}
		},
		{ threshold: 0.5 }
	);
	observer.observe(element);
	return () => {
		if (timer) clearTimeout(timer);
		observer.disconnect();
	};
}
