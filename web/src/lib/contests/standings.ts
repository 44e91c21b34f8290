/** Contest standings on screen: applying a live `contest.standings`, my row, places in words. */
import { getLocale } from '$lib/paraglide/runtime.js';
import { m } from '$lib/paraglide/messages.js';
import type { Participant, StandingRow } from './types';

/** One participant across rows and events (a store and a person may share an id). */
export function key(participant: Participant): string {
	return `${participant.kind}:${participant.id}`;
}

export type Applied = {
	rows: StandingRow[];
	/** Participants that moved up (or arrived) among the rows: highlighted for a moment. */
	movedUp: string[];
};

/**
 * The event's rows replace the first places; rows below the event's last place stay as they
 * were (until the next page read); a row that dropped out of the event's top is removed
 * (its new place is unknown). `is_me` comes from my own row, since the event's is always false.
 */
export function applyTop(current: StandingRow[], top: StandingRow[], mine: StandingRow | null): Applied {
	const myKey = mine ? key(mine.participant) : null;
	const before = new Map(current.map((row) => [key(row.participant), row]));
	const covered = top.length ? Math.max(...top.map((row) => row.place)) : 0;
	const inTop = new Set(top.map((row) => key(row.participant)));
	const head = top.map((row) => ({ ...row, is_me: key(row.participant) === myKey }));
	const tail = current.filter((row) => !inTop.has(key(row.participant)) && row.place > covered);
	const rows = [...head, ...tail].sort((a, b) => a.place - b.place);
	const movedUp = top
		.filter((row) => {
			const was = before.get(key(row.participant));
			return was === undefined || row.place < was.place;
		})
		.map((row) => key(row.participant));
	return { rows, movedUp };
}

/** The same top as on screen (the same event twice, or nothing changed): nothing to do. */
export function sameTop(current: StandingRow[], top: StandingRow[]): boolean {
	if (current.length < top.length) return false;
	return top.every((row, i) => {
		const was = current[i];
		return was && key(was.participant) === key(row.participant) && was.place === row.place && was.score === row.score && was.tie === row.tie;
	});
}

/** My row is shown below the table when the rows on screen do not include it. */
export function pinned(rows: StandingRow[], mine: StandingRow | null): StandingRow | null {
	if (!mine) return null;
	const mineKey = key(mine.participant);
	return rows.some((row) => key(row.participant) === mineKey) ? null : mine;
}

/** "4th of 17" / "4-е место из 17". */
export function placeOf(place: number, total: number): string {
	const rule = new Intl.PluralRules(getLocale() === 'ru' ? 'ru-RU' : 'en-GB', { type: 'ordinal' }).select(place);
	const args = { place, total };
	if (rule === 'one') return m.contests_place_one(args);
	if (rule === 'two') return m.contests_place_two(args);
	if (rule === 'few') return m.contests_place_few(args);
	return m.contests_place_other(args);
}

/** Just the ordinal ("4th", "4-е"), for a table's place column. */
export function ordinal(place: number): string {
	const rule = new Intl.PluralRules(getLocale() === 'ru' ? 'ru-RU' : 'en-GB', { type: 'ordinal' }).select(place);
	if (rule === 'one') return m.contests_ordinal_one({ place });
	if (rule === 'two') return m.contests_ordinal_two({ place });
	if (rule === 'few') return m.contests_ordinal_few({ place });
	return m.contests_ordinal_other({ place });
}

export type Left = { days: number; hours: number; minutes: number; seconds: number };

/** What is left until `end` (never below zero). */
export function timeLeft(end: string | Date, now: Date = new Date()): Left {
	const total = Math.max(0, Math.floor((new Date(end).getTime() - now.getTime()) / 1000));
	return {
		days: Math.floor(total / 86400),
		hours: Math.floor((total % 86400) / 3600),
		minutes: Math.floor((total % 3600) / 60),
		seconds: total % 60
	};
}

/** "3 d 4 h", "4 h 12 min", "12 min 5 s", "5 s": the two largest units that matter. */
export function countdown(end: string | Date, now: Date = new Date()): string {
	const left = timeLeft(end, now);
	if (left.days > 0) return m.contests_left_days({ days: left.days, hours: left.hours });
	if (left.hours > 0) return m.contests_left_hours({ hours: left.hours, minutes: left.minutes });
	if (left.minutes > 0) return m.contests_left_minutes({ minutes: left.minutes, seconds: left.seconds });
	return m.contests_left_seconds({ seconds: left.seconds });
}

/** How often a countdown needs to change: every second in its last hour, else every minute. */
export function tickEvery(end: string | Date, now: Date = new Date()): number {
	return new Date(end).getTime() - now.getTime() < 3600_000 ? 1000 : 60_000;
}

/** A score as a person reads it: per head to two decimals, else a whole number. */
export function scoreText(value: number): number {
	return Math.round(value * 100) / 100;
}
