/**
 * Uploading an HR export with upload progress. fetch() cannot report how much of a request
 * body has been sent, so this one call uses XMLHttpRequest; it sends the same CSRF header
 * and turns failures into the same ApiError as `$lib/api/client`.
 */
import { csrfToken, type components } from '$lib/api/client';
import { ApiError, NETWORK, errorFromResponse } from '$lib/api/errors';
import { m } from '$lib/paraglide/messages.js';

export type ImportOut = components['schemas']['ImportOut'];

/** The content type the server expects for a file, or null for a file it does not take. */
export function importType(file: { name: string; type: string }): string | null {
	const name = file.name.toLowerCase();
	if (name.endsWith('.csv') || file.type === 'text/csv') return 'text/csv';
	if (name.endsWith('.json') || file.type === 'application/json') return 'application/json';
	return null;
}

export function uploadImport(
	file: Blob,
	contentType: string,
	full: boolean,
	onProgress: (fraction: number) => void
): Promise<ImportOut> {
	return new Promise((resolve, reject) => {
		const xhr = new XMLHttpRequest();
		xhr.open('POST', `/api/admin/hr/imports${full ? '?full=true' : ''}`);
		xhr.setRequestHeader('Content-Type', contentType);
		const token = csrfToken();
		if (token) xhr.setRequestHeader('X-CSRF-Token', token);
		xhr.upload.onprogress = (event) => {
			if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
		};
		xhr.onerror = () => reject(new ApiError(0, NETWORK, m.error_network()));
		xhr.onload = async () => {
			const response = new Response(xhr.responseText, {
				status: xhr.status,
				headers: { 'content-type': xhr.getResponseHeader('content-type') ?? 'application/json' }
			});
			if (xhr.status >= 200 && xhr.status < 300) {
				onProgress(1);
				resolve((await response.json()) as ImportOut);
				return;
			}
			reject(await errorFromResponse(response, (status) => m.error_unexpected({ status })));
		};
		xhr.send(file);
	});
}
