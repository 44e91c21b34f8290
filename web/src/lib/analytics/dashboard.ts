/** The analytics dashboard's pure logic: periods, changes against the previous period,
 * sorting a breakdown, and names of figures. */
import { m } from '$lib/paraglide/messages.js';
import { getLocale } from '$lib/paraglide/runtime.js';

function tag(): string {
	return getLocale() === 'ru' ? 'ru-RU' : 'en-GB';
}

export type Preset = '7' | '30' | 'month' | 'quarter' | 'year' | 'custom';
export type Range = { from: string; to: string };

export const HEADLINES = [
	'active',
	'mau',
	'dau_mau',
	'avg_session_minutes',
	'views',
	'posts',
	'comments',
	'reactions',
	'engaged',
	'new'
] as const;
export type Metric =
	| (typeof HEADLINES)[number]
	| 'wau'
	| 'sessions'
	| 'confirmations'
	| 'authors'
	| 'returning'
	| 'phone'
	| 'web';
export const TREND_METRICS: Metric[] = ['active', 'views', 'sessions', 'posts', 'comments', 'reactions', 'engaged', 'mau'];
export const TABLE_COLUMNS: Metric[] = ['active', 'engaged', 'avg_session_minutes', 'views', 'posts', 'comments', 'reactions'];
export const GOAL_METRICS: Metric[] = ['active', 'mau', 'dau_mau', 'avg_session_minutes', 'views', 'posts', 'comments', 'reactions', 'engaged', 'new'];
export const DIMENSIONS = ['store', 'city', 'region', 'department', 'role'] as const;
export type Dimension = (typeof DIMENSIONS)[number];
export const PERIODS = ['week', 'month', 'quarter', 'year'] as const;
export type GoalPeriod = (typeof PERIODS)[number];

/** A local calendar day as YYYY-MM-DD. */
export function isoDay(day: Date): string {
	const pad = (n: number) => String(n).padStart(2, '0');
	return `${day.getFullYear()}-${pad(day.getMonth() + 1)}-${pad(day.getDate())}`;
}

/** The days a preset covers, ending today. */
export function presetRange(preset: Exclude<Preset, 'custom'>, today: Date): Range {
	const to = isoDay(today);
	const y = today.getFullYear();
	const mo = today.getMonth();
	if (preset === '7' || preset === '30') {
		const from = new Date(y, mo, today.getDate() - (Number(preset) - 1));
		return { from: isoDay(from), to };
	}
	if (preset === 'month') return { from: isoDay(new Date(y, mo, 1)), to };
	if (preset === 'quarter') return { from: isoDay(new Date(y, Math.floor(mo / 3) * 3, 1)), to };
	return { from: isoDay(new Date(y, 0, 1)), to };
}

/** The change from `before` to `now` as a signed fraction (0.25 = +25 %), null when the
 * period before had nothing to compare with. */
export function change(now: number, before: number): number | null {
	if (before === 0) return now === 0 ? 0 : null;
	return (now - before) / before;
}

/** Which way a change goes, for its arrow and colour. */
export function direction(value: number | null): 'up' | 'down' | 'flat' {
	if (value === null || Math.abs(value) < 0.005) return 'flat';
	return value > 0 ? 'up' : 'down';
}

export type Row = { key: string; name: string; values: Record<string, number> };

/** Rows sorted by a column; the merged small cells always last, ties by name. */
export function sortRows(rows: Row[], column: string, descending: boolean): Row[] {
	const sign = descending ? -1 : 1;
	return [...rows].sort((a, b) => {
		if ((a.key === '~others') !== (b.key === '~others')) return a.key === '~others' ? 1 : -1;
		const diff = (a.values[column] ?? 0) - (b.values[column] ?? 0);
		return diff !== 0 ? sign * diff : a.name.localeCompare(b.name);
	});
}

const METRIC_NAMES: Record<Metric, () => string> = {
	active: m.analytics_m_active,
	wau: m.analytics_m_wau,
	mau: m.analytics_m_mau,
	dau_mau: m.analytics_m_dau_mau,
	avg_session_minutes: m.analytics_m_avg_session_minutes,
	sessions: m.analytics_m_sessions,
	views: m.analytics_m_views,
	posts: m.analytics_m_posts,
	comments: m.analytics_m_comments,
	reactions: m.analytics_m_reactions,
	confirmations: m.analytics_m_confirmations,
	engaged: m.analytics_m_engaged,
	authors: m.analytics_m_authors,
	new: m.analytics_m_new,
	returning: m.analytics_m_returning,
	phone: m.analytics_m_phone,
	web: m.analytics_m_web
};

export function metricName(metric: string): string {
	return (METRIC_NAMES as Record<string, () => string>)[metric]?.() ?? metric;
}

const DIMENSION_NAMES: Record<Dimension, () => string> = {
	store: m.analytics_d_store,
	city: m.analytics_d_city,
	region: m.analytics_d_region,
	department: m.analytics_d_department,
	role: m.analytics_d_role
};
export function dimensionName(dimension: Dimension): string {
	return DIMENSION_NAMES[dimension]();
}

const ROLE_NAMES: Record<string, () => string> = {
	employee: m.analytics_role_employee,
	manager: m.analytics_role_manager,
	comms: m.analytics_role_comms,
	moderator: m.analytics_role_moderator,
	admin: m.analytics_role_admin
};

/** What a breakdown row is called in the reader's language. */
export function rowName(row: Row, dimension: Dimension): string {
	if (row.key === '~others') return m.analytics_others();
	if (dimension === 'role') return ROLE_NAMES[row.key]?.() ?? row.key;
	return row.name || row.key;
}

const PERIOD_NAMES: Record<GoalPeriod, () => string> = {
	week: m.analytics_p_week,
	month: m.analytics_p_month,
	quarter: m.analytics_p_quarter,
	year: m.analytics_p_year
};
export function periodName(period: string): string {
	return (PERIOD_NAMES as Record<string, () => string>)[period]?.() ?? period;
}

/** A figure for people: ratios as percentages, the rest as numbers. */
export function formatFigure(metric: string, value: number): string {
	if (metric === 'dau_mau') return new Intl.NumberFormat(tag(), { style: 'percent', maximumFractionDigits: 1 }).format(value);
	return new Intl.NumberFormat(tag(), { maximumFractionDigits: 1 }).format(value);
}

export function formatChange(value: number | null): string {
	if (value === null) return '—';
	return new Intl.NumberFormat(tag(), { style: 'percent', maximumFractionDigits: 1, signDisplay: 'exceptZero' }).format(value);
}
