/** The audit viewer's pure parts: filters <-> query, action names, a row's details. */
import { m } from '$lib/paraglide/messages.js';

export type AuditFilters = { action: string; actor: string; target: string; from: string; to: string };

export const NO_FILTERS: AuditFilters = { action: '', actor: '', target: '', from: '', to: '' };

export type AuditQuery = {
	action?: string;
	actor_id?: number;
	target?: string;
	since?: string;
	until?: string;
	before?: number;
	limit?: number;
};

/** A day (yyyy-mm-dd, the browser's time zone) as the instant it begins. */
function dayStart(day: string, plusDays = 0): string | undefined {
	const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
	if (!match) return undefined;
	const start = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + plusDays);
	return start.toISOString();
}

/** The API's query for these filters: "to" includes its whole day. Blank filters are left out. */
export function auditQuery(filters: AuditFilters, before?: number | null, limit = 50): AuditQuery {
	const query: AuditQuery = { limit };
	const action = filters.action.trim();
	if (action) query.action = action;
	const actor = Number(filters.actor.trim());
	if (filters.actor.trim() && Number.isInteger(actor) && actor > 0) query.actor_id = actor;
	const target = filters.target.trim();
	if (target) query.target = target;
	const since = dayStart(filters.from);
	if (since) query.since = since;
	const until = dayStart(filters.to, 1);
	if (until) query.until = until;
	if (before) query.before = before;
	return query;
}

/** Filters from the page's address (so a filtered view can be shared and survives reload). */
export function filtersFrom(params: URLSearchParams): AuditFilters {
	return {
		action: params.get('action') ?? '',
		actor: params.get('actor') ?? '',
		target: params.get('target') ?? '',
		from: params.get('from') ?? '',
		to: params.get('to') ?? ''
	};
}

/** The address's search part for these filters ('' when none). */
export function filtersSearch(filters: AuditFilters): string {
	const params = new URLSearchParams();
	for (const [key, value] of Object.entries(filters)) if (value.trim()) params.set(key, value.trim());
	const text = params.toString();
	return text ? `?${text}` : '';
}

const ACTIONS: Record<string, () => string> = {
	'employee.role.change': m.itadmin_action_employee_role_change,
	'employee.deactivate': m.itadmin_action_employee_deactivate,
	'employee.reactivate': m.itadmin_action_employee_reactivate,
	'employee.sessions.end': m.itadmin_action_employee_sessions_end,
	'hr.import.start': m.itadmin_action_hr_import_start,
	'hr.import.finish': m.itadmin_action_hr_import_finish,
	'hr.import.fail': m.itadmin_action_hr_import_fail,
	'ruleset.publish': m.itadmin_action_ruleset_publish,
	'ruleset.rollback': m.itadmin_action_ruleset_rollback
};

/** A person's words for an action; the code itself for actions this screen does not know. */
export function actionLabel(action: string): string {
	return ACTIONS[action]?.() ?? action;
}

/** A row's details as short "key: value" pairs, in the order they were written. */
export function detailPairs(detail: Record<string, unknown>): [string, string][] {
	return Object.entries(detail).map(([key, value]) => [
		key,
		typeof value === 'string' ? value : value === null ? '—' : JSON.stringify(value)
	]);
}

/** The roles an admin can give, in the order the menus list them. */
export const ROLES = ['employee', 'manager', 'comms', 'moderator', 'admin'] as const;
export type RoleName = (typeof ROLES)[number];

export function roleLabel(role: string): string {
	switch (role) {
		case 'employee':
			return m.itadmin_role_employee();
		case 'manager':
			return m.itadmin_role_manager();
		case 'comms':
			return m.itadmin_role_comms();
		case 'moderator':
			return m.itadmin_role_moderator();
		case 'admin':
			return m.itadmin_role_admin();
		default:
			return role;
	}
}

/** Where an import stands, as a fraction 0..1 for the progress bar (null: not measurable). */
export function importFraction(done: number | null | undefined, total: number | null | undefined): number | null {
	if (done == null || total == null) return null;
	if (total <= 0) return 1;
	return Math.min(1, Math.max(0, done / total));
}
