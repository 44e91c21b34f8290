/** The comms workspace's sections (`/admin/...`), in the order its tab bar shows them.
 * Each section lists the roles that see it; the server still refuses everyone else. */
import { m } from '$lib/paraglide/messages.js';
import { RULE_EDITORS } from '$lib/comms/rules';

export type WorkspaceSection = { href: string; label: () => string; roles: readonly string[] };

export { WORKSPACE_ROLES } from '$lib/nav';

/** Who uses the content tools (`/admin/content/...`): the server's channel editors. */
export const CONTENT_EDITORS: readonly string[] = ['comms', 'admin'];

export const SECTIONS: WorkspaceSection[] = [
	{ href: '/admin/content', label: m.content_nav, roles: CONTENT_EDITORS },
	{ href: '/admin/rules', label: m.comms_nav_rules, roles: RULE_EDITORS },
	{ href: '/admin/wheel', label: m.comms_nav_wheel, roles: RULE_EDITORS },
	{ href: '/admin/rewards', label: m.rwadmin_nav, roles: ['comms', 'admin'] },
	{ href: '/admin/contests', label: m.contests_admin_nav, roles: ['comms', 'admin'] },
	{ href: '/admin/courses', label: m.courses_admin_nav, roles: ['comms', 'admin'] },
	{ href: '/admin/analytics', label: m.analytics_nav, roles: ['comms', 'admin'] },
	{ href: '/admin/moderation', label: m.moderation_nav, roles: ['moderator', 'admin'] },
	{ href: '/admin/people', label: m.itadmin_nav_people, roles: ['admin'] },
	{ href: '/admin/audit', label: m.itadmin_nav_audit, roles: ['admin', 'comms', 'moderator'] }
];

/** The workspace sections a role sees. */
export function sectionsFor(role: string | undefined): WorkspaceSection[] {
	return SECTIONS.filter((section) => role !== undefined && section.roles.includes(role));
}
