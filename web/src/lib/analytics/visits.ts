/**
 * The app's visit heartbeat, from which the analytics count sessions and their length
 * (never guessed from requests): a beat when the app opens and every minute while the
 * page is visible. After 30 minutes out of sight, coming back starts a new visit.
 */
import { api } from '$lib/api/client';

export const BEAT_MS = 60_000;
export const NEW_VISIT_AFTER_MS = 30 * 60_000;

function newId(): string {
	return 'v' + (globalThis.crypto?.randomUUID?.() ?? Math.random().toString(36).slice(2) + Date.now().toString(36));
}

/** Whether a page hidden since `hiddenAt` starts a new visit when shown at `now`. */
export function startsNewVisit(hiddenAt: number | null, now: number): boolean {
	return hiddenAt !== null && now - hiddenAt >= NEW_VISIT_AFTER_MS;
}

/** Starts the heartbeat; returns the function that stops it. */
export function trackVisits(): () => void {
	let id = newId();
	let hiddenAt: number | null = null;
	const phone = () => globalThis.matchMedia?.('(max-width: 640px)').matches ?? false;
	const beat = () => {
		if (document.visibilityState !== 'visible') return;
		// A lost beat only shortens a session a little: never bother the reader with it.
		void api.POST('/api/me/visits', { body: { visit: id, phone: phone() } }).catch(() => {});
	};
	const onVisibility = () => {
		if (document.visibilityState === 'hidden') {
			hiddenAt = Date.now();
			return;
		}
		if (startsNewVisit(hiddenAt, Date.now())) id = newId();
		hiddenAt = null;
		beat();
	};
	beat();
	const timer = setInterval(beat, BEAT_MS);
	document.addEventListener('visibilitychange', onVisibility);
	return () => {
		clearInterval(timer);
		document.removeEventListener('visibilitychange', onVisibility);
	};
}
