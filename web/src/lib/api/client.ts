/**
 * The only caller of fetch. Typed from the server's OpenAPI document (schema.d.ts is
 * generated: `make web-types`), sends the CSRF token on writes, and turns every failure
 * into one ApiError whose sentence is in the user's language.
 */
import createClient, { type Middleware } from 'openapi-fetch';
import { m } from '$lib/paraglide/messages.js';
import { ApiError, NETWORK, errorFromResponse } from './errors';
import type { paths } from './schema';

export { ApiError } from './errors';
export type { components, paths } from './schema';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function csrfToken(cookies: string = globalThis.document?.cookie ?? ''): string {
	for (const part of cookies.split(';')) {
		const [name, ...rest] = part.trim().split('=');
		if (name === 'plaza_csrf') return decodeURIComponent(rest.join('='));
	}
	return '';
}

const csrf: Middleware = {
	onRequest({ request }) {
		if (UNSAFE.has(request.method)) {
			const token = csrfToken();
			if (token) request.headers.set('X-CSRF-Token', token);
		}
		return request;
	}
};

/** Listeners told about every 401 (the session ended) and every transient failure. */
type Listener = (error: ApiError) => void;
const listeners = new Set<Listener>();
export function onApiError(listener: Listener): () => void {
	listeners.add(listener);
	return () => listeners.delete(listener);
}

function fallbackDetail(status: number): string {
	return status >= 500 ? m.error_unavailable() : m.error_unexpected({ status });
}

async function fetchWithErrors(input: Request): Promise<Response> {
	let response: Response;
	try {
		response = await globalThis.fetch(input);
	} catch {
		throw new ApiError(0, NETWORK, m.error_network());
	}
	if (!response.ok) {
		const error = await errorFromResponse(response, fallbackDetail);
		for (const listener of listeners) listener(error);
		throw error;
	}
	return response;
}

/**
 * Writes that fail for a passing reason (network, 503) are tried once more after a short
 * pause; the caller keeps the user's text either way. The server's idempotency keys (spins)
 * and upserts (reactions, RSVPs) make the second try safe for the writes that need it.
 */
async function fetchRetryingOnce(input: Request): Promise<Response> {
	const copy = UNSAFE.has(input.method) ? input.clone() : null;
	try {
		return await fetchWithErrors(input);
	} catch (error) {
		if (!(error instanceof ApiError) || !error.transient || copy === null) throw error;
		const pause = Math.min((error.retryAfter ?? 1) * 1000, 3000);
		await new Promise((resolve) => setTimeout(resolve, pause));
		return fetchWithErrors(copy);
	}
}

export const api = createClient<paths>({
	baseUrl: globalThis.location?.origin ?? 'http://localhost',
	fetch: fetchRetryingOnce
});
api.use(csrf);

/** Unwraps an openapi-fetch result: the data, or the ApiError thrown above. */
export async function call<T>(
	promise: Promise<{ data?: T; error?: unknown; response: Response }>
): Promise<T> {
	const { data, error, response } = await promise;
	if (error !== undefined) throw error instanceof ApiError ? error : new ApiError(response.status, 'unknown', fallbackDetail(response.status));
	return data as T;
}
