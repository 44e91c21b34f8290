/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
/// <reference types="@sveltejs/kit" />
/**
 * Plaza's service worker: the app opens from the home screen without a network.
 *
 * - The app shell (every file of this build and index.html for navigations) is cached per
 *   release; a new release installs at once (skipWaiting), takes the open pages
 *   (clients.claim) and deletes the caches of older releases.
 * - Two API answers are kept, network-first, so a page opened offline shows what it had:
 *   `GET /api/me` (the shell cannot be drawn without knowing who is signed in) and the first
 *   page of `GET /api/feed`. Nothing else of the API is ever cached. A copy served from the
 *   cache carries the `x-plaza-offline-copy` header (the time it was saved, ISO 8601), read by
 *   `$lib/pwa` (`offlineCopySavedAt`).
 * - The API cache belongs to one person: it is deleted when someone signs in or out (the
 *   worker sees those requests go by), when the server answers 401, and when a page asks
 *   (`{type: 'plaza:forget'}`, see `$lib/pwa`).
 * - Socket.IO, uploads, writes and every other request go straight to the network: the
 *   worker does not answer them at all.
 */
import { build, files, version } from '$service-worker';

const sw = self as unknown as ServiceWorkerGlobalScope;

const PREFIX = 'plaza-';
const SHELL = `${PREFIX}shell-${version}`;
const API = `${PREFIX}api-v1`;
const INDEX = '/index.html';
const OFFLINE_HEADER = 'x-plaza-offline-copy';
const SAVED_HEADER = 'x-plaza-saved-at';
/** The API answers kept for offline use: the path and whether its query makes it a first page. */
const KEPT_API = new Set(['/api/me', '/api/feed']);
const SHELL_FILES = new Set([...build, ...files]);
/** Requests that change who is signed in: the previous person's data must go. */
const SESSION_CHANGES = new Set(['/api/auth/login', '/api/auth/logout', '/api/auth/register']);
/** Never the app (same list as server/webapp.py). */
const NOT_THE_APP = ['/api/', '/socket.io/', '/healthz', '/readyz', '/metrics'];

sw.addEventListener('install', (event) => {
	event.waitUntil(
		(async () => {
			const cache = await caches.open(SHELL);
			await cache.addAll([...SHELL_FILES, INDEX]);
			await sw.skipWaiting();
		})()
	);
});

sw.addEventListener('activate', (event) => {
	event.waitUntil(
		(async () => {
			for (const key of await caches.keys()) {
				if (key.startsWith(PREFIX) && key !== SHELL && key !== API) await caches.delete(key);
			}
			await sw.clients.claim();
		})()
	);
});

sw.addEventListener('message', (event) => {
	const data = event.data as { type?: string } | null;
	if (data?.type === 'plaza:forget') {
		const done = caches.delete(API).then(() => event.source?.postMessage({ type: 'plaza:forgotten' }));
		event.waitUntil(done);
	}
});

function keptApi(url: URL): boolean {
	if (!KEPT_API.has(url.pathname)) return false;
	// Only the first page of the feed: a page after a cursor is never kept.
	return !url.searchParams.has('cursor');
}

sw.addEventListener('fetch', (event) => {
	const request = event.request;
	const url = new URL(request.url);
	if (url.origin !== sw.location.origin) return;

	if (request.method !== 'GET') {
		if (SESSION_CHANGES.has(url.pathname)) event.waitUntil(caches.delete(API));
		return; // writes and uploads: straight to the network
	}
	if (url.pathname.startsWith('/socket.io/')) return;

	if (keptApi(url)) {
		event.respondWith(networkFirstApi(request, url));
		return;
	}
	if (NOT_THE_APP.some((prefix) => url.pathname.startsWith(prefix))) return;

	if (SHELL_FILES.has(url.pathname)) {
		event.respondWith(cacheFirst(request, url.pathname));
		return;
	}
	if (request.mode === 'navigate') {
		event.respondWith(navigation(request));
	}
});

async function cacheFirst(request: Request, path: string): Promise<Response> {
	const cached = await caches.match(path, { cacheName: SHELL });
	return cached ?? fetch(request);
}

/** index.html from the network (a new release shows at once), else the cached shell. */
async function navigation(request: Request): Promise<Response> {
	try {
		const response = await fetch(request);
		if (response.ok) return response;
		const cached = await caches.match(INDEX, { cacheName: SHELL });
		return response.status >= 500 && cached ? cached : response;
	} catch (error) {
		const cached = await caches.match(INDEX, { cacheName: SHELL });
		if (cached) return cached;
		throw error;
	}
}

/** The network's answer (and keep a copy), or the kept copy marked as such when offline. */
async function networkFirstApi(request: Request, url: URL): Promise<Response> {
	const key = url.pathname; // one copy per path: the first page, whatever its limit
	let response: Response;
	try {
		response = await fetch(request);
	} catch (error) {
		const copy = await offlineCopy(key);
		if (copy) return copy;
		throw error;
	}
	if (response.ok) {
		const body = await response.clone().arrayBuffer();
		const headers = new Headers(response.headers);
		headers.set(SAVED_HEADER, new Date().toISOString());
		const cache = await caches.open(API);
		await cache.put(key, new Response(body, { status: 200, headers }));
	} else if (response.status === 401) {
		await caches.delete(API);
	} else if (response.status >= 500 || response.status === 0) {
		// The server is there but failing (a restart): what we had is better than nothing.
		const copy = await offlineCopy(key);
		if (copy) return copy;
	}
	return response;
}

async function offlineCopy(key: string): Promise<Response | null> {
	const cached = await caches.match(key, { cacheName: API });
	if (!cached) return null;
	const headers = new Headers(cached.headers);
	headers.set(OFFLINE_HEADER, headers.get(SAVED_HEADER) ?? new Date(0).toISOString());
	return new Response(await cached.arrayBuffer(), { status: 200, headers });
}
