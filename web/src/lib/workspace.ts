/** The comms workspace's sections (`/admin/...`), in the order its tab bar shows them.
 * Each section lists the roles that see it; the server still refuses everyone else. */
import { m } from '$lib/paraglide/messages.js';
import { RULE_EDITORS } from '$lib/comms/rules';

export type WorkspaceSection = { href: string; label: () => string; roles: readonly string[] };

/** Everyone who has a workspace at all: the main navigation shows it only to them. */
export const WORKSPACE_ROLES: readonly string[] = ['comms', 'moderator', 'admin'];

export const SECTIONS: WorkspaceSection[] = [
	{ href: '/admin/rules', label: m.comms_nav_rules, roles: RULE_EDITORS },
	{ href: '/admin/wheel', label: m.comms_nav_wheel, roles: RULE_EDITORS }
	// Helpers: add your section here, one line each, e.g.
	// { href: '/admin/wheel', label: m.wheeladmin_nav, roles: ['comms', 'admin'] },
];

/** The workspace sections a role sees. */
export function sectionsFor(role: string | undefined): WorkspaceSection[] {
	return SECTIONS.filter((section) => role !== undefined && section.roles.includes(role));
}
