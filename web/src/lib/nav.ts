/** The signed-in app's sections, in the order the navigation shows them. */
import { m } from '$lib/paraglide/messages.js';
import Newspaper from '@lucide/svelte/icons/newspaper';
import Users from '@lucide/svelte/icons/users';
import Megaphone from '@lucide/svelte/icons/megaphone';
import PenLine from '@lucide/svelte/icons/pen-line';
import Calendar from '@lucide/svelte/icons/calendar';
import Contact from '@lucide/svelte/icons/contact';
import Star from '@lucide/svelte/icons/star';
import WalletIcon from '@lucide/svelte/icons/wallet';
import LoaderPinwheel from '@lucide/svelte/icons/loader-pinwheel';
import Gift from '@lucide/svelte/icons/gift';
import Trophy from '@lucide/svelte/icons/trophy';
import Award from '@lucide/svelte/icons/award';
import MessagesSquare from '@lucide/svelte/icons/messages-square';
import Briefcase from '@lucide/svelte/icons/briefcase';
import GraduationCap from '@lucide/svelte/icons/graduation-cap';
import type { Component } from 'svelte';

/** Everyone who has a workspace (`/admin`, its sections in `$lib/workspace`): kept here so
 * that the first load does not carry the workspace's section list. */
export const WORKSPACE_ROLES: readonly string[] = ['comms', 'moderator', 'admin'];

/** `roles`: shown only to these roles (the server still refuses everyone else). */
export type NavItem = { href: string; label: () => string; icon: Component<any>; phone?: boolean; roles?: string[] };

export const NAV: NavItem[] = [
	{ href: '/feed', label: m.nav_feed, icon: Newspaper, phone: true },
	{ href: '/chat', label: m.chat_nav, icon: MessagesSquare, phone: true },
	{ href: '/groups', label: m.nav_groups, icon: Users, phone: true },
	{ href: '/channels', label: m.nav_channels, icon: Megaphone },
	{ href: '/blogs', label: m.nav_blogs, icon: PenLine },
	{ href: '/events', label: m.nav_events, icon: Calendar, phone: true },
	{ href: '/people', label: m.nav_people, icon: Contact, phone: true },
	{ href: '/digest', label: m.nav_digest, icon: Star },
	{ href: '/courses', label: m.courses_nav, icon: GraduationCap },
	{ href: '/wallet', label: m.rewards_nav_wallet, icon: WalletIcon },
	{ href: '/wheel', label: m.rewards_nav_wheel, icon: LoaderPinwheel },
	{ href: '/shop', label: m.rewards_nav_shop, icon: Gift },
	{ href: '/leaderboards', label: m.rewards_nav_leaderboards, icon: Trophy },
	{ href: '/contests', label: m.contests_nav, icon: Award },
	{ href: '/admin', label: m.workspace_nav, icon: Briefcase, roles: [...WORKSPACE_ROLES] }
];

/** The sections a role sees. */
export function navFor(role: string | undefined): NavItem[] {
	return NAV.filter((item) => !item.roles || (role !== undefined && item.roles.includes(role)));
}

export function isActive(current: string, href: string): boolean {
	return current === href || current.startsWith(href + '/');
}
