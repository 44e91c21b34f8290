/** Applying a live `leaderboard.changed` (the board's visible top) to the board on screen. */

export type Place = {
	id: string;
	rank: number;
	points: number;
	name?: string | null;
	per_head?: number | null;
	employees?: number | null;
};

export type TopPlace = { id: string; rank: number; points: number };

export type Merged = {
	top: Place[];
	/** Places that moved up (or arrived) in the visible top: highlighted for a moment. */
	movedUp: string[];
	/** A place arrived whose name this page does not know: reload the board. */
	needsReload: boolean;
};

/**
 * The event's places replace the first ranks; places below them stay as they were; a place
 * that dropped out of the event's top is removed (its new rank is unknown until a reload).
 * Names and other details are kept from what the page held.
 */
export function mergeTop(current: Place[], incoming: TopPlace[]): Merged {
	const before = new Map(current.map((p) => [p.id, p]));
	const covered = incoming.length ? Math.max(...incoming.map((p) => p.rank)) : 0;
	const inTop = new Set(incoming.map((p) => p.id));
	const head: Place[] = incoming.map((p) => ({ ...before.get(p.id), ...p }));
	const tail = current.filter((p) => !inTop.has(p.id) && p.rank > covered);
	const top = [...head, ...tail].sort((a, b) => a.rank - b.rank || b.points - a.points);
	const movedUp = incoming
		.filter((p) => {
			const was = before.get(p.id);
			return was === undefined ? true : p.rank < was.rank;
		})
		.map((p) => p.id);
	const needsReload = incoming.some((p) => !before.has(p.id) || before.get(p.id)!.name == null);
	return { top, movedUp, needsReload };
}

/** A board's places equal in rank and points: nothing to apply (the same event twice). */
export function sameTop(a: Place[], b: TopPlace[]): boolean {
	if (a.length < b.length) return false;
	return b.every((p, i) => a[i]?.id === p.id && a[i]?.rank === p.rank && a[i]?.points === p.points);
}
