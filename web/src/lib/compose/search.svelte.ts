/**
 * The suggestions of an "@" field or a colleague picker: asks `GET /api/mentions` while the
 * person types (debounced, newest answer wins) and keeps the highlighted option for the
 * arrow keys. Shared by MentionField (the post text) and PersonPicker (kudos).
 */
import { api } from '$lib/api/client';
import { debounced, moveActive, type MentionItem } from './mentions';

export type Pick = (item: MentionItem) => void;

export class MentionSearch {
	items = $state<MentionItem[]>([]);
	active = $state(-1);
	open = $state(false);
	searching = $state(false);
	/** The query the shown items answer (empty: nothing asked yet). */
	answered = $state('');

	readonly kinds: readonly string[] | null;
	#search;

	/** `kinds`: only these (people only for kudos); `skip`: an id of a person never offered. */
	constructor(kinds: readonly string[] | null = null, skip: () => number | null = () => null) {
		this.kinds = kinds;
		this.#search = debounced(
			async (q: string) => {
				const { data } = await api.GET('/api/mentions', { params: { query: { q, limit: kinds ? 20 : 8 } } });
				const items = data?.items ?? [];
				const me = skip();
				return items
					.filter((i) => (!kinds || kinds.includes(i.kind)) && !(i.kind === 'person' && i.id === me))
					.slice(0, 8);
			},
			(items, q) => {
				this.items = items;
				this.answered = q;
				this.active = items.length ? 0 : -1;
				this.searching = false;
			}
		);
	}

	/** The person typed: look `query` up (an empty query closes the list). */
	find(query: string): void {
		const q = query.trim();
		if (!q) return this.close();
		this.open = true;
		this.searching = true;
		this.#search.run(q);
	}

	close(): void {
		this.#search.cancel();
		this.open = false;
		this.searching = false;
		this.items = [];
		this.answered = '';
		this.active = -1;
	}

	get shown(): boolean {
		return this.open && (this.items.length > 0 || (!this.searching && this.answered !== ''));
	}

	/**
	 * Keys while the list is shown: arrows move, Enter or Tab picks, Escape closes. Returns
	 * true when the key was the list's (the caller then does nothing else with it).
	 */
	key(event: KeyboardEvent, pick: Pick): boolean {
		if (!this.shown) return false;
		if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
			event.preventDefault();
			this.active = moveActive(this.active, this.items.length, event.key === 'ArrowDown' ? 1 : -1);
			return true;
		}
		if ((event.key === 'Enter' || event.key === 'Tab') && !event.ctrlKey && !event.metaKey && !event.shiftKey) {
			const item = this.items[this.active];
			if (!item) return false;
			event.preventDefault();
			pick(item);
			this.close();
			return true;
		}
		if (event.key === 'Escape') {
			event.preventDefault();
			event.stopPropagation();
			this.close();
			return true;
		}
		return false;
	}
}
