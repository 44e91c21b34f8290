/**
 * RSVP counts have no live event on the server, so a page that shows them loads them again
 * when the reader comes back to the tab (focus, or the tab shown again), at most once per
 * `gapMs`, and after a reconnect. Returns the function that stops.
 */
export function refreshOnReturn(refresh: () => void, gapMs = 2000, target: Window = window): () => void {
	let last = Date.now();
	const maybe = () => {
		if (target.document.visibilityState === 'hidden') return;
		const now = Date.now();
		if (now - last < gapMs) return;
		last = now;
		refresh();
	};
	target.addEventListener('focus', maybe);
	target.document.addEventListener('visibilitychange', maybe);
	return () => {
		target.removeEventListener('focus', maybe);
		target.document.removeEventListener('visibilitychange', maybe);
	};
}
