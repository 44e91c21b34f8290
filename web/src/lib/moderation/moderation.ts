/** Pure helpers of the moderation screens and the report dialog. */
import type { components } from '$lib/api/schema';

export type ReportKind = 'post' | 'comment' | 'message' | 'story';
export type Case = components['schemas']['ModerationCaseOut'];
export type Hit = components['schemas']['HitOut'];
export type CaseAction = 'hide' | 'restore' | 'delete' | 'warn' | 'mute' | 'dismiss' | 'approve';

export const REASONS = ['insult', 'spam', 'private', 'other'] as const;

/** The reason as the moderators read it: the chosen reason, then what the reporter added. */
export function reportReason(label: string, details: string): string {
	const more = details.trim();
	return (more ? `${label}: ${more}` : label).slice(0, 500);
}

/** What a moderator may do with a case in its status (the server refuses the rest). */
export function actionsFor(c: Pick<Case, 'status'>): CaseAction[] {
	switch (c.status) {
		case 'held':
			return ['approve', 'hide', 'delete', 'warn', 'mute'];
		case 'open':
			return ['hide', 'delete', 'warn', 'mute', 'dismiss'];
		case 'hidden':
			return ['restore', 'delete', 'warn', 'mute'];
		case 'deleted':
			return ['warn', 'mute'];
		default:
			return ['hide', 'delete', 'warn', 'mute'];
	}
}

/** Where the item lives, for "open in context" (a hidden item is a 404 there for others). */
export function itemHref(c: Pick<Case, 'kind' | 'post_id' | 'chat_id' | 'target_id'>): string | null {
	if (c.kind === 'comment' && c.post_id) return `/posts/${c.post_id}#comment-${c.target_id}`;
	if (c.post_id) return `/posts/${c.post_id}`;
	if (c.chat_id) return `/chat/${c.chat_id}`;
	return null;
}

/** The text split at the hits, for showing what matched (overlaps: the first hit wins).
 * The server counts code points (Python), so the text is cut by code points, not UTF-16. */
export function highlight(text: string, hits: Pick<Hit, 'start' | 'end'>[]): { text: string; hit: boolean }[] {
	const chars = Array.from(text);
	const cut = (from: number, to?: number) => chars.slice(from, to).join('');
	const parts: { text: string; hit: boolean }[] = [];
	let at = 0;
	for (const h of [...hits].sort((a, b) => a.start - b.start)) {
		if (h.start < at) continue;
		if (h.start > at) parts.push({ text: cut(at, h.start), hit: false });
		parts.push({ text: cut(h.start, h.end), hit: true });
		at = h.end;
	}
	if (at < chars.length) parts.push({ text: cut(at), hit: false });
	return parts;
}
