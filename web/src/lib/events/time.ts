/** Wall-clock times in a named time zone (the company's), without a date library. */

/** How far `zone`'s wall clock is ahead of UTC at the instant `utcMs`, in milliseconds. */
export function zoneOffset(utcMs: number, zone: string): number {
	const parts = new Intl.DateTimeFormat('en-US', {
		timeZone: zone,
		hourCycle: 'h23',
		year: 'numeric',
		month: '2-digit',
		day: '2-digit',
		hour: '2-digit',
		minute: '2-digit',
		second: '2-digit'
	}).formatToParts(new Date(utcMs));
	const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
	const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
	return wall - Math.floor(utcMs / 1000) * 1000;
}

/** "2026-03-12T10:00" read on `zone`'s clock -> the instant, or null when not a time. */
export function zonedToInstant(local: string, zone: string): Date | null {
	const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local);
	if (!match) return null;
	const [y, mo, d, h, mi] = match.slice(1).map(Number) as [number, number, number, number, number];
	const wall = Date.UTC(y, mo - 1, d, h, mi);
	let utc = wall - zoneOffset(wall, zone);
	// Near a daylight-saving change the offset at the guess may differ: take the one at the result.
	const again = wall - zoneOffset(utc, zone);
	if (again !== utc) utc = again;
	return new Date(utc);
}

/** The instant as `zone`'s wall clock, in the form a datetime-local input takes. */
export function instantToZoned(at: Date, zone: string): string {
	const shifted = new Date(at.getTime() + zoneOffset(at.getTime(), zone));
	return shifted.toISOString().slice(0, 16);
}
