/** The sticker pack (`GET /api/stickers`), loaded once. */
import { api } from '$lib/api/client';
import { getLocale } from '$lib/paraglide/runtime.js';

export type Sticker = { id: string; emoji: string; title: Record<string, string> };

class Stickers {
	list = $state<Sticker[]>([]);
	failed = $state(false);
	#loading: Promise<void> | null = null;

	load(): Promise<void> {
		this.#loading ??= (async () => {
			try {
				const { data } = await api.GET('/api/stickers');
				this.list = ((data as { stickers?: Sticker[] } | undefined)?.stickers ?? []) as Sticker[];
				this.failed = false;
			} catch {
				this.failed = true;
				this.#loading = null;
			}
		})();
		return this.#loading;
	}

	emoji(id: string): string {
		return this.list.find((s) => s.id === id)?.emoji ?? '';
	}

	title(id: string): string {
		const sticker = this.list.find((s) => s.id === id);
		if (!sticker) return id;
		return sticker.title[getLocale()] ?? sticker.title.en ?? id;
	}
}

export const stickers = new Stickers();
