/** Dates, numbers and relative times in the user's language, through Intl. */
import { getLocale } from '$lib/paraglide/runtime.js';

const tags: Record<string, string> = { en: 'en-GB', ru: 'ru-RU' };

function tag(): string {
	return tags[getLocale()] ?? 'en-GB';
}

// Making a formatter costs far more than using one (a long list formats many times).
const dateFormats = new Map<string, Intl.DateTimeFormat>();
const numberFormats = new Map<string, Intl.NumberFormat>();

function dateFormat(options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
	const key = tag() + JSON.stringify(options);
	let format = dateFormats.get(key);
	if (!format) dateFormats.set(key, (format = new Intl.DateTimeFormat(tag(), options)));
	return format;
}

export function formatNumber(value: number): string {
	let format = numberFormats.get(tag());
	if (!format) numberFormats.set(tag(), (format = new Intl.NumberFormat(tag())));
	return format.format(value);
}

/** A compact count for buttons: 1,2K / 1,2 тыс. */
export function formatCompact(value: number): string {
	return new Intl.NumberFormat(tag(), { notation: 'compact', maximumFractionDigits: 1 }).format(value);
}

export function formatDate(value: string | Date, options: Intl.DateTimeFormatOptions = { dateStyle: 'medium' }): string {
	return dateFormat(options).format(new Date(value));
}

export function formatDateTime(value: string | Date): string {
	return formatDate(value, { dateStyle: 'medium', timeStyle: 'short' });
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
	['year', 365 * 24 * 3600],
	['month', 30 * 24 * 3600],
	['week', 7 * 24 * 3600],
	['day', 24 * 3600],
	['hour', 3600],
	['minute', 60]
];

/** "5 minutes ago" / "5 минут назад"; "now" under a minute. */
export function formatRelative(value: string | Date, now: Date = new Date()): string {
	const seconds = (new Date(value).getTime() - now.getTime()) / 1000;
	const rtf = new Intl.RelativeTimeFormat(tag(), { numeric: 'auto' });
	for (const [unit, size] of UNITS) {
		if (Math.abs(seconds) >= size) return rtf.format(Math.round(seconds / size), unit);
	}
	return rtf.format(0, 'second');
}

/** A start and an end as one range ("12 Mar 2026, 10:00 – 12:30 MSK"), in a time zone. */
export function formatRange(start: string | Date, end: string | Date, timeZone?: string): string {
	const format = new Intl.DateTimeFormat(tag(), { dateStyle: 'medium', timeStyle: 'short', timeZone });
	return format.formatRange(new Date(start), new Date(end));
}

/** The short name of a time zone as the reader's language writes it ("MSK", "GMT+3"). */
export function zoneName(timeZone: string, at: string | Date = new Date()): string {
	const parts = new Intl.DateTimeFormat(tag(), { timeZone, timeZoneName: 'short' }).formatToParts(new Date(at));
	return parts.find((p) => p.type === 'timeZoneName')?.value ?? timeZone;
}
