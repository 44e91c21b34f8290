/** The reward audit trail in words: one sentence per row of the audit log ("Clara gave
 * 2 spins to Ann"), the reason or note it carries, and what changed in a shop item. */
import type { components } from '$lib/api/client';
import { m } from '$lib/paraglide/messages.js';
import { amountText, pick } from '$lib/rewards/text';

export type TrailEntry = components['schemas']['TrailEntry'];
export type Area = 'shop' | 'grant' | 'badge' | 'redemption' | 'prize' | 'allowance';
export const AREAS: readonly Area[] = ['shop', 'grant', 'badge', 'redemption', 'prize', 'allowance'];

export type Names = {
	/** Shop items and prizes by id, in the reader's language. */
	items?: Record<string, string>;
	/** People by id (for redemptions, whose target is the order, not the person). */
	people?: Record<string, string>;
};

export type Described = { what: string; why: string | null; changes: string | null };

const FIELDS: Record<string, () => string> = {
	title: m.rwadmin_field_title,
	description: m.rwadmin_field_description,
	price: m.rwadmin_field_price,
	needs_approval: m.rwadmin_field_needs_approval,
	active: m.rwadmin_field_active
};

function num(value: unknown): number {
	return typeof value === 'number' ? value : Number(value) || 0;
}

function str(value: unknown): string {
	return typeof value === 'string' ? value : '';
}

/** The id after the kind in a target: "shop_item:mug" -> "mug". */
export function targetId(target: string): string {
	const at = target.indexOf(':');
	return at < 0 ? target : target.slice(at + 1);
}

function allowanceValue(value: unknown, kudos: boolean): string {
	if (value === null || value === undefined) return m.rwadmin_value_default();
	if (kudos && num(value) === 0) return m.rwadmin_value_unlimited();
	return kudos ? String(num(value)) : m.rewards_points({ count: num(value) });
}

/** One audit row as a sentence (after the actor's name), with its reason and changes. */
export function describe(entry: TrailEntry, names: Names = {}): Described {
	const d = entry.detail as Record<string, unknown>;
	const id = targetId(entry.target);
	const item = (key: string) => names.items?.[key] ?? key;
	const person = entry.target_name ?? (names.people?.[String(d.user_id ?? '')] || `#${d.user_id ?? id}`);
	let what: string;
	let why: string | null = null;
	let changes: string | null = null;
	switch (entry.action) {
		case 'shop.item.create': {
			const made = (d.changes as Record<string, unknown> | undefined) ?? d;
			const title = names.items?.[id] ?? pick(made.title as Record<string, string> | undefined, id);
			what = m.rwadmin_ev_item_create({ item: title, price: m.rewards_points({ count: num(made.price) }) });
			if (num(d.add_stock) > 0) changes = m.rwadmin_ev_stock_add({ count: num(d.add_stock), item: title });
			break;
		}
		case 'shop.item.update':
		case 'shop.item.retire':
		case 'shop.item.restore': {
			const verb = { 'shop.item.update': m.rwadmin_ev_item_update, 'shop.item.retire': m.rwadmin_ev_item_retire, 'shop.item.restore': m.rwadmin_ev_item_restore }[entry.action];
			what = verb({ item: item(id) });
			const changed = Object.keys((d.changes as Record<string, unknown>) ?? {}).filter((k) => k !== 'active');
			if (changed.length) changes = m.rwadmin_changes({ fields: changed.map((k) => (FIELDS[k] ? FIELDS[k]() : k)).join(', ') });
			if (num(d.add_stock) > 0) changes = [changes, m.rwadmin_ev_stock_add({ count: num(d.add_stock), item: item(id) })].filter(Boolean).join(' · ');
			break;
		}
		case 'shop.stock.add':
			what = m.rwadmin_ev_stock_add({ count: num(d.add_stock), item: item(id) });
			break;
		case 'grant.points':
		case 'grant.spins':
			what = m.rwadmin_ev_grant({ what: amountText(str(d.currency) || entry.action.slice(6), num(d.amount), false), name: person });
			why = str(d.reason) || null;
			break;
		case 'badge.award':
			what = m.rwadmin_ev_badge({ badge: pick(d.title as Record<string, string> | undefined, str(d.badge)), name: person });
			why = str(d.reason) || null;
			break;
		case 'redemption.approve':
		case 'redemption.reject': {
			const verb = entry.action === 'redemption.approve' ? m.rwadmin_ev_approve : m.rwadmin_ev_reject;
			what = verb({ item: item(str(d.item_id)), name: person });
			why = str(d.note) || null;
			break;
		}
		case 'prize.stock.add':
			what = m.rwadmin_ev_prize_stock({ count: num(d.amount), prize: item(id), stock: num(d.stock) });
			break;
		case 'allowance.set': {
			const kudos = id === 'kudos';
			const values = { from: allowanceValue(d.from, kudos), to: allowanceValue(d.to, kudos) };
			if (kudos) what = m.rwadmin_ev_allowance_kudos(values);
			else if (id === 'manager') what = m.rwadmin_ev_allowance_manager(values);
			else {
				const manager = targetId(id);
				what = m.rwadmin_ev_allowance_one({ ...values, name: names.people?.[manager] ?? `#${manager}` });
			}
			break;
		}
		default:
			what = m.rwadmin_ev_other({ action: entry.action, target: entry.target });
	}
	return { what, why, changes };
}

/** The people a page of the trail names by id only (redemptions, one manager's allowance). */
export function peopleToName(entries: TrailEntry[]): number[] {
	const ids = new Set<number>();
	for (const e of entries) {
		const d = e.detail as Record<string, unknown>;
		if (e.action.startsWith('redemption.') && typeof d.user_id === 'number') ids.add(d.user_id);
		if (e.action === 'allowance.set' && e.target.startsWith('allowance:manager:')) {
			const id = Number(targetId(targetId(e.target)));
			if (Number.isInteger(id)) ids.add(id);
		}
	}
	return [...ids];
}
