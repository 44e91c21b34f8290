/** The dry run's default window: last calendar month, as the date inputs hold it. */

function day(date: Date): string {
	const pad = (n: number) => String(n).padStart(2, '0');
	return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** From the first day of last month to the first day of this one (the end not included). */
export function lastMonth(now: Date = new Date()): { since: string; until: string } {
	const first = new Date(now.getFullYear(), now.getMonth(), 1);
	const before = new Date(now.getFullYear(), now.getMonth() - 1, 1);
	return { since: day(before), until: day(first) };
}

/** A date input's value as the moment the server reads on the company's clock ("2026-11-01T00:00"). */
export function startOf(value: string): string | null {
	return /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00` : null;
}
