/**
 * "@" mentions in a text field, as pure functions (unit-tested in web/tests/mentions.test.ts).
 *
 * The server understands `@[Name](kind:id)` with kind person, department, store or group
 * (server/posts/render.py) and turns it into a link; the field shows exactly that text.
 */

export type MentionKind = 'person' | 'department' | 'store' | 'group';

export type MentionItem = {
	kind: string;
	id: number;
	name: string;
	detail: string;
	avatar_url: string | null;
};

/** What is being typed after an "@" at the caret: where the "@" is and the letters after it. */
export type MentionQuery = { start: number; query: string };

const MAX_QUERY = 40;

/**
 * The mention being typed at `caret`, or null. An "@" starts one only at the start of the
 * text or after a space, a line break or an opening bracket/quote (not inside an e-mail
 * address); the query runs to the caret, may hold single spaces ("Anna Iv"), never a line
 * break, and is not already a finished mention (`@[`).
 */
export function mentionAt(text: string, caret: number): MentionQuery | null {
	if (caret < 0 || caret > text.length) return null;
	const before = text.slice(0, caret);
	const at = before.lastIndexOf('@');
	if (at < 0) return null;
	const query = before.slice(at + 1);
	if (query.length > MAX_QUERY) return null;
	if (/[\n\r[\]()@]/.test(query) || /\s\s/.test(query) || /^\s/.test(query)) return null;
	const previous = before.charAt(at - 1);
	if (previous !== '' && !/[\s([{"'«„]/.test(previous)) return null;
	return { start: at, query };
}

/** The text the server turns into a link: `@[Anna Ivanova](person:12)`. */
export function mentionSyntax(item: Pick<MentionItem, 'kind' | 'id' | 'name'>): string {
	const name = item.name.replace(/[[\]\n\r\\]/g, '').trim().slice(0, 100) || '?';
	return `@[${name}](${item.kind}:${item.id})`;
}

/**
 * Replace the "@query" that starts at `start` and ends at `caret` with the mention and one
 * space; returns the new text and where the caret goes.
 */
export function insertMention(
	text: string,
	query: MentionQuery,
	caret: number,
	item: Pick<MentionItem, 'kind' | 'id' | 'name'>
): { text: string; caret: number } {
	const mention = mentionSyntax(item);
	const after = text.slice(caret);
	const space = after.startsWith(' ') ? '' : ' ';
	const next = text.slice(0, query.start) + mention + space + after;
	return { text: next, caret: query.start + mention.length + 1 };
}

/** Move the highlighted option with the arrow keys, wrapping at both ends (-1: none). */
export function moveActive(active: number, count: number, step: 1 | -1): number {
	if (count <= 0) return -1;
	if (active < 0) return step === 1 ? 0 : count - 1;
	return (active + step + count) % count;
}

/**
 * Calls `search(query)` after `delay` ms of quiet; an answer to an older query than the
 * latest is dropped, so a slow answer never replaces a newer one.
 */
export function debounced<T>(
	search: (query: string) => Promise<T>,
	apply: (result: T, query: string) => void,
	delay = 200,
	fail: (error: unknown) => void = () => {}
) {
	let timer: ReturnType<typeof setTimeout> | undefined;
	let latest = 0;
	return {
		run(query: string): void {
			clearTimeout(timer);
			const ticket = ++latest;
			timer = setTimeout(async () => {
				try {
					const result = await search(query);
					if (ticket === latest) apply(result, query);
				} catch (error) {
					// The list stays as it was (typing goes on); the caller may say why.
					if (ticket === latest) fail(error);
				}
			}, delay);
		},
		cancel(): void {
			clearTimeout(timer);
			latest++;
		}
	};
}
