/** The progress chart's rows: one a day of the period (the server's local days in the
 * company's time zone, `YYYY-MM-DD`), with my points and my place's earned by its end. */
export type ProgressRow = { date: Date; me: number; place?: number };

export function dayOf(iso: string): Date {
	const [y = 1970, m = 1, d = 1] = iso.split('-').map(Number);
	return new Date(y, m - 1, d);
}

export function progressRows(days: string[], me: number[], place: number[] | null): ProgressRow[] {
	return days.map((day, i) => {
		const row: ProgressRow = { date: dayOf(day), me: me[i] ?? 0 };
		if (place) row.place = place[i] ?? 0;
		return row;
	});
}

/** What the period added: the last day's total, and what the last day alone added. */
export function progressSummary(points: number[]): { total: number; today: number } {
	const total = points.at(-1) ?? 0;
	const before = points.length > 1 ? (points[points.length - 2] ?? 0) : 0;
	return { total, today: total - before };
}
