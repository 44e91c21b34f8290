/**
 * Names and avatars of the people chats show, fetched once per person and shared by every
 * chat screen (a chat only carries member ids).
 */
import { api } from '$lib/api/client';

export type Person = { id: number; name: string; avatar_url: string | null; position: string };

class People {
	known = $state<Record<number, Person>>({});
	#pending = new Set<number>();

	get(id: number): Person | undefined {
		return this.known[id];
	}

	/** The person's name, or an empty string until it is known. */
	name(id: number): string {
		return this.known[id]?.name ?? '';
	}

	remember(person: Person): void {
		if (!this.known[person.id]) this.known[person.id] = person;
	}

	/** Fetch whoever is not known yet (a few at a time). */
	async ensure(ids: Iterable<number>): Promise<void> {
		const wanted = [...new Set(ids)].filter((id) => !this.known[id] && !this.#pending.has(id));
		for (const id of wanted) this.#pending.add(id);
		const queue = [...wanted];
		const worker = async () => {
			for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
				try {
					const { data } = await api.GET('/api/employees/{id}', { params: { path: { id } } });
					if (data) this.known[id] = { id, name: data.name, avatar_url: data.avatar_url ?? null, position: data.position ?? '' };
				} catch {
					/* shown without a name; tried again next time */
				} finally {
					this.#pending.delete(id);
				}
			}
		};
		await Promise.all(Array.from({ length: Math.min(4, wanted.length) }, worker));
	}
}

export const people = new People();
