/**
 * The page's side of the service worker (src/service-worker.ts).
 *
 * - `registerServiceWorker()`: called once by the root layout (production builds only).
 * - `offlineCopySavedAt(response)`: when an API answer came from the worker's cache because
 *   the network was not there, the time it was saved; null for a fresh answer. Only the
 *   first page of `GET /api/feed` and `GET /api/me` are ever kept. A page shows
 *   `<OfflineCopyNotice savedAt={...} />` above such data, e.g.
 *       const { data, response } = await api.GET('/api/feed');
 *       savedAt = offlineCopySavedAt(response);
 * - `forgetOfflineData()`: deletes the kept API answers (the worker also does it by itself
 *   on sign-in, sign-out and a 401).
 */
import { dev } from '$app/environment';

/** Set by the service worker on an answer served from its cache (ISO 8601 time it was saved). */
export const OFFLINE_COPY_HEADER = 'x-plaza-offline-copy';

export function offlineCopySavedAt(response: Response | undefined | null): Date | null {
	const value = response?.headers.get(OFFLINE_COPY_HEADER);
	if (!value) return null;
	const date = new Date(value);
	return Number.isNaN(date.getTime()) ? null : date;
}

export function serviceWorkerSupported(): boolean {
	return typeof navigator !== 'undefined' && 'serviceWorker' in navigator;
}

export async function registerServiceWorker(): Promise<ServiceWorkerRegistration | null> {
	if (dev || !serviceWorkerSupported()) return null;
	try {
		return await navigator.serviceWorker.register('/service-worker.js', { scope: '/' });
	} catch {
		return null; // the app works without it, only not offline
	}
}

/** Ask the worker to drop the kept API answers (resolves when done, or at once without one). */
export async function forgetOfflineData(timeoutMs = 2000): Promise<void> {
	if (!serviceWorkerSupported()) return;
	const worker = navigator.serviceWorker.controller;
	if (!worker) return;
	await new Promise<void>((resolve) => {
		const timer = setTimeout(done, timeoutMs);
		function done() {
			clearTimeout(timer);
			navigator.serviceWorker.removeEventListener('message', onMessage);
			resolve();
		}
		function onMessage(event: MessageEvent) {
			if ((event.data as { type?: string } | null)?.type === 'plaza:forgotten') done();
		}
		navigator.serviceWorker.addEventListener('message', onMessage);
		worker.postMessage({ type: 'plaza:forget' });
	});
}
