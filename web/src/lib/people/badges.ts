/** Badges as a profile shows them: the title in the reader's language, tiers best first. */
import type { components } from '$lib/api/client';

export type Badge = components['schemas']['BadgeOut'];
export const TIERS = ['platinum', 'gold', 'silver', 'bronze'] as const;

export function badgeTitle(badge: Pick<Badge, 'title' | 'badge'>, locale: string): string {
	return badge.title[locale] ?? badge.title.en ?? Object.values(badge.title)[0] ?? badge.badge;
}

/** Best tier first, then newest; badges without a tier (given by hand) after tiered ones. */
export function sortBadges<T extends Pick<Badge, 'tier' | 'created_at'>>(badges: T[]): T[] {
	const rank = (tier: string | null) => {
		const i = TIERS.indexOf((tier ?? '') as (typeof TIERS)[number]);
		return i < 0 ? TIERS.length : i;
	};
	return [...badges].sort((a, b) => rank(a.tier) - rank(b.tier) || b.created_at.localeCompare(a.created_at));
}
