/** One error type for everything the API or the network can say. */

export type FieldProblem = { field: string; reason: string };

/** Codes the app itself produces (the server's are in its error bodies). */
export const NETWORK = 'network';
export const UNAVAILABLE = 'unavailable';

export class ApiError extends Error {
	readonly status: number;
	readonly code: string;
	readonly fields: FieldProblem[];
	readonly retryAfter: number | null;

	constructor(
		status: number,
		code: string,
		detail: string,
		fields: FieldProblem[] = [],
		retryAfter: number | null = null
	) {
		super(detail);
		this.name = 'ApiError';
		this.status = status;
		this.code = code;
		this.fields = fields;
		this.retryAfter = retryAfter;
	}

	/** The server's sentence, already in the user's language (or ours for the network). */
	get detail(): string {
		return this.message;
	}

	/** Worth trying again later: the network, or a server that said it is unavailable. */
	get transient(): boolean {
		return this.code === NETWORK || this.status === 503 || this.status === 502;
	}

	get notFound(): boolean {
		return this.status === 404;
	}
}

/**
 * Turns a failed response into an ApiError. `fallback` gives the sentence to show when the
 * body is not the server's `{error, detail}` (a proxy's HTML page, an empty 502).
 */
export async function errorFromResponse(
	response: Response,
	fallback: (status: number) => string
): Promise<ApiError> {
	let body: unknown = null;
	try {
		body = await response.clone().json();
	} catch {
		body = null;
	}
	const retry = Number(response.headers.get('retry-after'));
	const retryAfter = Number.isFinite(retry) && retry > 0 ? retry : null;
	if (body && typeof body === 'object' && 'error' in body && 'detail' in body) {
		const b = body as { error: unknown; detail: unknown; fields?: unknown };
		const fields = Array.isArray(b.fields) ? (b.fields as FieldProblem[]) : [];
		return new ApiError(response.status, String(b.error), String(b.detail), fields, retryAfter);
	}
	const code = response.status >= 500 ? UNAVAILABLE : 'http_' + response.status;
	return new ApiError(response.status, code, fallback(response.status), [], retryAfter);
}
