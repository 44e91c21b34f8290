/** Search hits marked in plain text: the words of the query, case-insensitive. */

export type Piece = { text: string; hit: boolean };

function escape(word: string): string {
	return word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The words of a query worth marking (two letters or more). */
export function terms(query: string): string[] {
	return [...new Set(query.toLowerCase().split(/[\s,.;:!?"'()]+/u).filter((w) => w.length >= 2))];
}

/** `text` cut into pieces, the ones matching a word of `query` marked as hits. */
export function highlight(text: string, query: string): Piece[] {
	const words = terms(query).sort((a, b) => b.length - a.length);
	if (words.length === 0 || !text) return text ? [{ text, hit: false }] : [];
	const pattern = new RegExp(`(${words.map(escape).join('|')})`, 'giu');
	const pieces: Piece[] = [];
	let last = 0;
	for (const match of text.matchAll(pattern)) {
		const at = match.index ?? 0;
		if (at > last) pieces.push({ text: text.slice(last, at), hit: false });
		pieces.push({ text: match[0], hit: true });
		last = at + match[0].length;
	}
	if (last < text.length) pieces.push({ text: text.slice(last), hit: false });
	return pieces;
}

/** Plain text of server-rendered HTML (a post's body), spaces collapsed. */
export function plainText(html: string): string {
	const doc = new DOMParser().parseFromString(html, 'text/html');
	return (doc.body.textContent ?? '').replace(/\s+/g, ' ').trim();
}

/**
 * A window of `text` around the first hit, about `size` characters, with "…" where cut;
 * the start when nothing matches.
 */
export function excerpt(text: string, query: string, size = 220): string {
	if (text.length <= size) return text;
	const lower = text.toLowerCase();
	const first = terms(query)
		.map((w) => lower.indexOf(w))
		.filter((i) => i >= 0)
		.sort((a, b) => a - b)[0];
	let start = first === undefined ? 0 : Math.max(0, first - Math.floor(size / 3));
	if (start > 0) {
		const space = text.indexOf(' ', start);
		if (space >= 0 && space - start < 20) start = space + 1;
	}
	const end = Math.min(text.length, start + size);
	return (start > 0 ? '…' : '') + text.slice(start, end).trim() + (end < text.length ? '…' : '');
}

/** Skills as the server keeps them: trimmed, lower case, without repeats, sorted. */
export function normaliseTags(values: string[]): string[] {
	return [...new Set(values.map((v) => v.trim().toLowerCase().slice(0, 60)).filter(Boolean))].sort();
}

/** What the person typed in a tag box ("excel, first aid") as separate tags. */
export function splitTags(text: string): string[] {
	return text
		.split(/[,;\n]/)
		.map((t) => t.trim())
		.filter(Boolean);
}
