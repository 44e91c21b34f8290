/** Contests in words: status, who competes, the dates in the company's zone. */
import { formatDate, formatDateTime, formatRange, zoneName } from '$lib/format';
import { m } from '$lib/paraglide/messages.js';
import type { Contest, ContestStatus, Participants } from './types';

export function statusLabel(status: ContestStatus): string {
	if (status === 'upcoming') return m.contests_status_upcoming();
	if (status === 'running') return m.contests_status_running();
	if (status === 'grace') return m.contests_status_grace();
	return m.contests_status_final();
}

export function competitors(participants: Participants, perHead: boolean): string {
	const who =
		participants === 'people'
			? m.contests_who_people()
			: participants === 'store'
				? m.contests_who_store()
				: participants === 'city'
					? m.contests_who_city()
					: participants === 'region'
						? m.contests_who_region()
						: m.contests_who_department();
	return perHead ? m.contests_who_per_head({ who }) : who;
}

/** Whose place `mine` is: me, or my store, city... */
export function mineLabel(participants: Participants): string {
	if (participants === 'people') return m.contests_mine_me();
	if (participants === 'store') return m.contests_mine_store();
	if (participants === 'city') return m.contests_mine_city();
	if (participants === 'region') return m.contests_mine_region();
	return m.contests_mine_department();
}

/** "1 Dec 2026, 00:00 – 31 Dec 2026, 23:59 (MSK)" on the company's clock. */
export function dates(contest: Pick<Contest, 'starts_at' | 'ends_at' | 'timezone'>): string {
	const zone = contest.timezone || undefined;
	const range = formatRange(contest.starts_at, contest.ends_at, zone);
	return zone ? `${range} (${zoneName(zone, contest.starts_at)})` : range;
}

/** A moment on the company's clock with the zone's short name. */
export function at(value: string, timezone: string | null | undefined): string {
	if (!timezone) return formatDateTime(value);
	const text = formatDate(value, { dateStyle: 'medium', timeStyle: 'short', timeZone: timezone });
	return `${text} (${zoneName(timezone, value)})`;
}
