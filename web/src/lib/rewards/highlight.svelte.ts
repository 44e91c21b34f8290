/** Rows that just moved up on a live ranking (a leaderboard, a contest's standings), kept
 * highlighted for a moment and then forgotten. One timer: a new move restarts it. */
export const HIGHLIGHT_MS = 2500;

export class MovedHighlight {
	ids = $state<Set<string>>(new Set());
	#timer: ReturnType<typeof setTimeout> | undefined;
	#ms: number;

	constructor(ms = HIGHLIGHT_MS) {
		this.#ms = ms;
	}

	flash(ids: string[]): void {
		if (!ids.length) return;
		this.ids = new Set(ids);
		clearTimeout(this.#timer);
		this.#timer = setTimeout(() => (this.ids = new Set()), this.#ms);
	}

	has(id: string): boolean {
		return this.ids.has(id);
	}

	/** The page is going away: no timer left behind. */
	stop(): void {
		clearTimeout(this.#timer);
	}
}
