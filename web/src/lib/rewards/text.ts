/** The words of the rewards screens: titles in the reader's language, amounts, and why a
 * transfer happened ("10 points: A thoughtful comment, ruleset v3, for your comment of 3 March"). */
import type { components } from '$lib/api/client';
import { formatDate } from '$lib/format';
import { m } from '$lib/paraglide/messages.js';
import { getLocale } from '$lib/paraglide/runtime.js';

export type Change = components['schemas']['Change'];

/** A title given in several languages, in the reader's (then English, then any). */
export function pick(title: Record<string, string> | null | undefined, fallback = ''): string {
	if (!title) return fallback;
	return title[getLocale()] || title.en || Object.values(title)[0] || fallback;
}

/** "+10 points", "−1 spin", "1 prize"; `signed: false` for moves that only change a hold. */
export function amountText(currency: string, amount: number, signed = true): string {
	const count = Math.abs(amount);
	const what =
		currency === 'points'
			? m.rewards_points({ count })
			: currency === 'spins'
				? m.rewards_spins({ count })
				: m.rewards_prizes({ count });
	if (!signed || amount === 0) return what;
	return (amount > 0 ? '+' : '−') + what;
}

/** The shop item a shop transfer is about ("reserve lunch" -> "lunch"). */
export function shopItemOf(change: Pick<Change, 'because'>): string {
	return change.because.split(' ').slice(1).join(' ');
}

export type Why = {
	/** The main line: the rule's title, who gave it, what it paid for. */
	title: string;
	/** "ruleset v3" when a rule gave it. */
	ruleset: string | null;
	/** "for your post of 3 March", linked to `href` when there is one. */
	source: string | null;
	href: string | null;
	/** The amount as the reader sees it: "+10 points". */
	amount: string;
	/** gain, loss or neutral (a hold spent): the amount's colour. */
	tone: 'gain' | 'loss' | 'neutral';
};

/** Only the transfers a person cares about: their points, spins and prizes (not the item
 * units a shop request moves between the shop's own accounts). */
export function shown(change: Pick<Change, 'currency'>): boolean {
	return change.currency === 'points' || change.currency === 'spins' || change.currency.startsWith('prize:');
}

function sourceText(source: NonNullable<Change['source']>): string {
	const date = formatDate(source.at, { day: 'numeric', month: 'long' });
	switch (source.type) {
		case 'post.created':
		case 'post.shared':
		case 'post.viewed':
		case 'post.read_confirmed':
		case 'user.mentioned':
			return m.rewards_for_post({ date });
		case 'comment.created':
			return m.rewards_for_comment({ date });
		case 'reaction.added':
			return m.rewards_for_reaction({ date });
		case 'kudos.given':
			return m.rewards_for_kudos({ date });
		case 'event.created':
		case 'event.rsvp':
		case 'event.attended':
			return m.rewards_for_event({ date });
		case 'poll.created':
		case 'poll.answered':
			return m.rewards_for_poll({ date });
		case 'story.created':
		case 'story.viewed':
			return m.rewards_for_story({ date });
		case 'profile.completed':
			return m.rewards_for_profile({ date });
		case 'user.daily_login':
			return m.rewards_for_visit({ date });
		case 'group.joined':
			return m.rewards_for_group({ date });
		case 'post.deleted':
			return m.rewards_for_deleted_post({ date });
		case 'comment.deleted':
			return m.rewards_for_deleted_comment({ date });
		default:
			return m.rewards_for_activity({ date });
	}
}

function sourceHref(source: NonNullable<Change['source']>): string | null {
	if (source.type.endsWith('.deleted')) return null;
	if (source.calendar_event_id != null && source.type.startsWith('event.')) return `/events/${source.calendar_event_id}`;
	if (source.post_id != null) return `/posts/${source.post_id}`;
	return null;
}

/** Why one transfer happened, in the reader's language. `items` names shop items by id. */
export function why(change: Change, items: Record<string, string> = {}): Why {
	const rule = pick(change.title) || (change.rule_id ? m.rewards_why_rule({ rule: change.rule_id }) : '');
	const item = items[shopItemOf(change)] ?? shopItemOf(change);
	let title: string;
	let href: string | null = null;
	let signed = true;
	switch (change.kind) {
		case 'award':
			title = rule || change.because;
			break;
		case 'reversal':
			title = rule ? m.rewards_why_reversal({ title: rule }) : m.rewards_why_reversal_plain();
			break;
		case 'grant':
			title = m.rewards_why_grant({ reason: change.because });
			break;
		case 'gift':
			title = m.rewards_why_gift({ reason: change.because });
			break;
		case 'spin':
			title = m.rewards_why_spin();
			href = '/wheel';
			break;
		case 'wheel':
			title = m.rewards_why_wheel();
			href = '/wheel';
			break;
		case 'prize':
			title = m.rewards_why_prize();
			href = '/wheel';
			break;
		case 'shop_reserve':
			title = m.rewards_why_shop_reserve({ item });
			href = '/shop';
			break;
		case 'shop_complete':
			// The points were held when the request was made: this spends the hold.
			title = m.rewards_why_shop_complete({ item });
			href = '/shop';
			signed = false;
			break;
		case 'shop_release':
			title = m.rewards_why_shop_release({ item });
			href = '/shop';
			break;
		case 'contest':
			// A contest's prize: the server's sentence ("1st of 17 stores in the contest …"),
			// in every language (`title`); `because` is the ledger's English record of it.
			title = rule || change.because || change.kind;
			href = '/contests?when=past';
			break;
		default:
			title = change.because || change.kind;
	}
	const source = change.source ? sourceText(change.source) : null;
	if (change.source) href = sourceHref(change.source) ?? href;
	return {
		title,
		ruleset: change.ruleset != null ? m.rewards_why_ruleset({ number: change.ruleset }) : null,
		source,
		href,
		amount: amountText(change.currency, change.amount, signed),
		tone: !signed ? 'neutral' : change.amount > 0 ? 'gain' : change.amount < 0 ? 'loss' : 'neutral'
	};
}

/** 5 %, 0.5 % — a segment's chance. */
export function formatShare(part: number, whole: number): string {
	const tag = getLocale() === 'ru' ? 'ru-RU' : 'en-GB';
	return new Intl.NumberFormat(tag, { style: 'percent', maximumFractionDigits: 1 }).format(whole ? part / whole : 0);
}

/** "30 Nov – 6 Dec 2026": a period from its start to its (exclusive) end. */
export function formatPeriod(starts: string, ends: string): string {
	const tag = getLocale() === 'ru' ? 'ru-RU' : 'en-GB';
	const last = new Date(new Date(ends).getTime() - 1);
	const format = new Intl.DateTimeFormat(tag, { day: 'numeric', month: 'short', year: 'numeric' });
	return format.formatRange(new Date(starts), last);
}

/** An idempotency key for a write that may be sent twice (a retry after a network failure). */
export function newKey(prefix: string): string {
	const bytes = new Uint8Array(12);
	globalThis.crypto.getRandomValues(bytes);
	return `${prefix}-${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** A leaderboard's period from its label: "6 December 2026", "30 Nov – 6 Dec 2026",
 * "December 2026", "Q4 2026"; null for all time. */
export function boardPeriod(period: string, label: string): string | null {
	const tag = getLocale() === 'ru' ? 'ru-RU' : 'en-GB';
	const day = (iso: string) => new Date(`${iso}T12:00:00`);
	if (period === 'day') return new Intl.DateTimeFormat(tag, { dateStyle: 'long' }).format(day(label));
	if (period === 'week') {
		const start = day(label);
		const end = new Date(start.getTime() + 6 * 86400000);
		return new Intl.DateTimeFormat(tag, { day: 'numeric', month: 'short', year: 'numeric' }).formatRange(start, end);
	}
	if (period === 'month') return new Intl.DateTimeFormat(tag, { month: 'long', year: 'numeric' }).format(day(`${label}-15`));
	if (period === 'quarter') {
		const [year, quarter] = label.split('-');
		return `${quarter} ${year}`;
	}
	return null;
}
