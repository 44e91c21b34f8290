/**
 * A stored notification as a sentence in the reader's language and the page it is about.
 * The server keeps only `kind` and `payload` (the language is the reader's, not the
 * sender's), so every kind the server creates has its sentence here; an unknown kind from
 * a newer server still reads as something.
 */
import type { components } from '$lib/api/schema';
import { EMOJI_CHAR } from '$lib/live/feed.svelte';
import { formatDate } from '$lib/format';
import { m } from '$lib/paraglide/messages.js';
import { getLocale } from '$lib/paraglide/runtime.js';

export type Notification = components['schemas']['NotificationOut'];

/** What a kind looks like: its sentence, its link, and which icon stands for it. */
export type Described = { text: string; href: string | null; icon: Icon };
export type Icon = 'mention' | 'comment' | 'reaction' | 'kudos' | 'badge' | 'points' | 'shop' | 'event' | 'group' | 'other';

function str(value: unknown): string {
	return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}

function id(value: unknown): number | null {
	return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : null;
}

/** A title stored in every language ({en, ru}): the reader's, else English, else any. */
export function localized(title: unknown): string {
	if (typeof title === 'string') return title;
	if (!title || typeof title !== 'object') return '';
	const byLang = title as Record<string, unknown>;
	return str(byLang[getLocale()]) || str(byLang.en) || str(Object.values(byLang)[0]);
}

function postLink(payload: Record<string, unknown>): string | null {
	const post = id(payload.post_id);
	if (!post) return null;
	const comment = id(payload.comment_id);
	return comment ? `/posts/${post}#comment-${comment}` : `/posts/${post}`;
}

/** `me`: the reader's id, for the kinds about their own profile (a badge). */
export function describe(n: Notification, me: number | null = null): Described {
	const p = n.payload ?? {};
	const name = n.actor?.name || m.notify_someone();
	switch (n.kind) {
		case 'mention':
			return {
				text: id(p.comment_id) ? m.notify_mention_comment({ name }) : m.notify_mention_post({ name }),
				href: postLink(p),
				icon: 'mention'
			};
		case 'comment':
			return { text: m.notify_comment({ name }), href: postLink(p), icon: 'comment' };
		case 'reaction': {
			const emoji = str(p.emoji);
			const glyph = (EMOJI_CHAR as Record<string, string>)[emoji] ?? emoji;
			return { text: m.notify_reaction({ name, emoji: glyph }), href: postLink(p), icon: 'reaction' };
		}
		case 'kudos':
			return { text: m.notify_kudos({ name }), href: postLink(p), icon: 'kudos' };
		case 'badge.awarded':
			return { text: m.notify_badge({ title: localized(p.title) || str(p.badge) }), href: me ? `/people/${me}` : null, icon: 'badge' };
		case 'reward.granted': {
			const count = Number(p.amount) || 0;
			const reason = str(p.reason);
			const text = p.currency === 'spins' ? m.notify_spins({ count, reason }) : m.notify_points({ count, reason });
			return { text, href: '/wallet', icon: 'points' };
		}
		case 'reward.gift':
			return {
				text: m.notify_gift({ name, count: Number(p.points) || 0, message: str(p.message) }),
				href: '/wallet',
				icon: 'points'
			};
		case 'redemption.decided': {
			const text = p.status === 'rejected' ? m.notify_redemption_rejected() : m.notify_redemption_done();
			const note = str(p.note).trim();
			return { text: note ? m.notify_redemption_note({ text, note }) : text, href: '/shop', icon: 'shop' };
		}
		case 'event.invited':
		case 'event.reminder': {
			const event = id(p.event_id);
			const title = str(p.title);
			const starts = str(p.starts_at);
			const text =
				n.kind === 'event.invited'
					? m.notify_event_invited({ title })
					: m.notify_event_reminder({ title, time: starts ? formatDate(starts, { timeStyle: 'short' }) : '' });
			return { text, href: event ? `/events/${event}` : '/events', icon: 'event' };
		}
		case 'group.join_requested':
		case 'group.join_approved':
		case 'group.invited': {
			const group = id(p.group_id);
			const title = str(p.group);
			const text =
				n.kind === 'group.join_requested'
					? m.notify_group_requested({ name, group: title })
					: n.kind === 'group.invited'
						? m.notify_group_invited({ name, group: title })
						: m.notify_group_approved({ group: title });
			return { text, href: group ? `/groups/${group}` : '/groups', icon: 'group' };
		}
		case 'moderation.held':
		case 'moderation.approve':
		case 'moderation.hide':
		case 'moderation.restore':
		case 'moderation.delete':
		case 'moderation.warn':
		case 'moderation.mute':
			return describeModeration(n.kind, p);
		case 'post.confirm_reminder':
			return { text: m.content_notify_reminder({ title: str(p.title) }), href: postLink(p), icon: 'other' };
		case 'contest.prize': {
			const contest = str(p.contest_id);
			return {
				text: m.contests_notify_prize({ text: localized(p.text) }),
				href: contest ? `/contests/${encodeURIComponent(contest)}` : '/contests',
				icon: 'badge'
			};
		}
		case 'course.assigned':
		case 'course.due_soon': {
			const course = id(p.course_id);
			const title = str(p.title);
			const due = str(p.due_at);
			const text =
				n.kind === 'course.due_soon'
					? m.courses_notify_due_soon({ title, date: due ? formatDate(due) : '' })
					: due
						? m.courses_notify_assigned_due({ title, date: formatDate(due) })
						: m.courses_notify_assigned({ title });
			return { text, href: course ? `/courses/${course}` : '/courses', icon: 'other' };
		}
		default:
			return { text: m.notify_other(), href: postLink(p), icon: 'other' };
	}
}

/** What a moderator did with something the reader wrote (`server/moderation/service.py`). */
function describeModeration(kind: string, p: Record<string, unknown>): Described {
	const excerpt = str(p.excerpt);
	const until = str(p.until);
	const sentences: Record<string, () => string> = {
		'moderation.held': () => m.moderation_notify_held({ excerpt }),
		'moderation.approve': () => m.moderation_notify_approve({ excerpt }),
		'moderation.hide': () => m.moderation_notify_hide({ excerpt }),
		'moderation.restore': () => m.moderation_notify_restore({ excerpt }),
		'moderation.delete': () => m.moderation_notify_delete({ excerpt }),
		'moderation.warn': () => m.moderation_notify_warn({ excerpt }),
		'moderation.mute': () => m.moderation_notify_mute({ time: until ? formatDate(until, { dateStyle: 'medium', timeStyle: 'short' }) : '' })
	};
	const text = (sentences[kind] ?? m.notify_other)();
	const note = str(p.note).trim();
	const post = id(p.post_id);
	const chat = id(p.chat_id);
	const href =
		p.item === 'comment' && post
			? `/posts/${post}#comment-${id(p.target_id) ?? ''}`
			: post
				? `/posts/${post}`
				: chat
					? `/chat/${chat}`
					: null;
	return { text: note ? m.moderation_notify_note({ text, note }) : text, href, icon: 'other' };
}
