/** One file uploaded for a post, a lesson or a cover: its id (the server checks the type). */
import { api } from '$lib/api/client';

export async function uploadAttachment(file: File): Promise<number> {
	const { data } = await api.POST('/api/attachments', {
		params: { query: { name: file.name } },
		body: file as never,
		bodySerializer: (body: unknown) => body as never,
		headers: { 'Content-Type': file.type || 'application/octet-stream' }
	});
	return data!.id;
}

/** What a picture's file name says, for its alt text: "shelf-display.jpg" → "shelf display". */
export function altFromName(name: string): string {
	return name
		.replace(/\.[a-z0-9]+$/i, '')
		.replace(/[-_]+/g, ' ')
		.replace(/[[\]()]/g, '')
		.trim();
}
