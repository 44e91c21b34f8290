/** Pure helpers of the comms team's content tools (`/admin/content/...`). */

/** A post's first non-empty line without Markdown markers, cut to `width` characters. */
export function headline(body: string, width = 90): string {
	const line = body
		.split('\n')
		.map((s) => s.trim())
		.find((s) => s.length > 0);
	const text = (line ?? '').replace(/^[#>*\-\s]+/, '').trim();
	return text.length <= width ? text : text.slice(0, width - 1) + '…';
}

/** A copy of `list` with the item at `index` moved by `delta` places (kept inside the list). */
export function move<T>(list: readonly T[], index: number, delta: number): T[] {
	const copy = [...list];
	const target = Math.max(0, Math.min(copy.length - 1, index + delta));
	if (index < 0 || index >= copy.length || target === index) return copy;
	const [item] = copy.splice(index, 1);
	copy.splice(target, 0, item as T);
	return copy;
}

/** Whole per cent of `part` in `whole` (0 when there is nobody). */
export function percent(part: number, whole: number): number {
	if (whole <= 0) return 0;
	return Math.floor((part / whole) * 100);
}

/** A post's number from what a person pastes: "42", "#42" or a link ending in /posts/42. */
export function postIdFrom(text: string): number | null {
	const found = text.trim().match(/^(?:#?(\d{1,12})|\S*\/posts\/(\d{1,12})\/?(?:[?#]\S*)?)$/);
	if (!found) return null;
	const id = Number(found[1] ?? found[2]);
	return id > 0 ? id : null;
}

/** The ISO day `days` after `day` ("2026-12-06" + 1 = "2026-12-07"). */
export function addDays(day: string, days: number): string {
	const at = new Date(`${day}T12:00:00Z`);
	at.setUTCDate(at.getUTCDate() + days);
	return at.toISOString().slice(0, 10);
}
