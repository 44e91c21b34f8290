import { formatDate } from '$lib/format';

/** "14:05:09": when the standings were computed. */
export function formatTime(value: string): string {
	return formatDate(value, { timeStyle: 'medium' });
}
