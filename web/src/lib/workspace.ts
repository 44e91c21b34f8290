/** The comms workspace's sections (`/admin/...`), in the order its tab bar shows them.
 * Each section lists the roles that see it; the server still refuses everyone else. */
import { m } from '$lib/paraglide/messages.js';
import { RULE_EDITORS } from '$lib/comms/rules';

export type WorkspaceSection = { href: string; label: () => string; roles: readonly string[] };

/** Everyone who has a workspace at all: the main navigation shows it only to them. */
export const WORKSPACE_ROLES: readonly string[] = ['comms', 'moderator', 'admin'];

/** Who uses the content tools (`/admin/content/...`): the server's channel editors. */
const CONTENT_EDITORS: readonly string[] = ['comms', 'admin'];

export const SECTIONS: WorkspaceSection[] = [
	{ href: '/admin/rules', label: m.comms_nav_rules, roles: RULE_EDITORS },
	{ href: '/admin/content/pinned', label: m.content_nav_pinned, roles: CONTENT_EDITORS },
	{ href: '/admin/content/stories', label: m.content_nav_stories, roles: CONTENT_EDITORS },
	{ href: '/admin/content/audiences', label: m.content_nav_audiences, roles: CONTENT_EDITORS },
	{ href: '/admin/content/digest', label: m.content_nav_digest, roles: CONTENT_EDITORS },
	{ href: '/admin/content/confirmations', label: m.content_nav_confirmations, roles: CONTENT_EDITORS },
	{ href: '/admin/content/scheduled', label: m.content_nav_scheduled, roles: CONTENT_EDITORS }
	// Helpers: add your section here, one line each, e.g.
	// { href: '/admin/wheel', label: m.wheeladmin_nav, roles: ['comms', 'admin'] },
];

/** The workspace sections a role sees. */
export function sectionsFor(role: string | undefined): WorkspaceSection[] {
	return SECTIONS.filter((section) => role !== undefined && section.roles.includes(role));
}
