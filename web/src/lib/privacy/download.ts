/** Personal data downloads: the zip of one employee's data, saved under the server's name. */
import { api } from '$lib/api/client';

/** Profiles anonymised by an admin get an address in this reserved domain (server/privacy.py). */
export const ANONYMISED_DOMAIN = 'anonymised.invalid';

export function isAnonymised(email: string): boolean {
	return email.toLowerCase().endsWith(`@${ANONYMISED_DOMAIN}`);
}

/** The file name from a Content-Disposition header, or the fallback; never a path. */
export function fileName(disposition: string | null, fallback: string): string {
	const match = disposition?.match(/filename\*?=(?:UTF-8'')?"?([^";]+)"?/i);
	const name = match?.[1] ? (decodeURIComponent(match[1]).split(/[\\/]/).pop() ?? '').trim() : '';
	return name || fallback;
}

function save(blob: Blob, name: string): void {
	const url = URL.createObjectURL(blob);
	const link = document.createElement('a');
	link.href = url;
	link.download = name;
	link.rel = 'noopener';
	document.body.append(link);
	link.click();
	link.remove();
	setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Download my own data (`employeeId` null) or, as an admin, someone's. Throws ApiError. */
export async function downloadData(employeeId: number | null): Promise<string> {
	const { data, response } =
		employeeId === null
			? await api.GET('/api/me/export', { parseAs: 'blob' })
			: await api.GET('/api/admin/employees/{id}/export', { params: { path: { id: employeeId } }, parseAs: 'blob' });
	const name = fileName(response.headers.get('content-disposition'), `plaza-data-${employeeId ?? 'me'}.zip`);
	save(data as Blob, name);
	return name;
}
