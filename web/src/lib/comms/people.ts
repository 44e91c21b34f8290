/** Names and stores of the people a report or the history mentions, fetched once each. */
import { api } from '$lib/api/client';

export type Person = { name: string; store: string };
const known = new Map<string, Promise<Person | null>>();

export function person(id: string | number): Promise<Person | null> {
	const key = String(id);
	let found = known.get(key);
	if (!found) {
		found = (async () => {
			const numeric = Number(key);
			if (!Number.isInteger(numeric)) return null;
			try {
				const { data } = await api.GET('/api/employees/{id}', { params: { path: { id: numeric } } });
				return data ? { name: data.name, store: data.store?.name ?? '' } : null;
			} catch {
				known.delete(key);
				return null;
			}
		})();
		known.set(key, found);
	}
	return found;
}

/** Looks up several people at once: id -> person (missing ones left out). */
export async function people(ids: (string | number)[]): Promise<Map<string, Person>> {
	const unique = [...new Set(ids.map(String))];
	const found = await Promise.all(unique.map((id) => person(id)));
	const map = new Map<string, Person>();
	unique.forEach((id, i) => {
		const p = found[i];
		if (p) map.set(id, p);
	});
	return map;
}
