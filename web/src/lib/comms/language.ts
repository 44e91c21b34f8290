/** Completion and hover help for the rule editor, from the server's description of the rule
 * language (`GET /api/rulesets/language`, the same that writes docs/rules.md). Pure: the text
 * and a position in, offers or help out; the editor only shows them. */
import type { components } from '$lib/api/client';

export type Language = components['schemas']['LanguageOut'];
type Key = components['schemas']['LanguageKey'];

/** Where the cursor is in the YAML. */
export type Spot = {
	/** Keys from the top down to the mapping the cursor is in (list items add nothing). */
	path: string[];
	/** The key whose value is being typed, or null when a key is being typed. */
	valueOf: string | null;
	/** The value typed so far (from after "key: " to the cursor), or the key typed so far. */
	typed: string;
	/** Offset in the text where `typed` starts. */
	from: number;
};

const indentOf = (line: string) => /^[ ]*(?:-[ ]+)*/.exec(line)![0].length;

/** Scan one line's text before the cursor: flow mappings opened on it, the key being
 * valued, and where the typed part starts. Null inside a comment. */
function scanLine(s: string): { keys: string[]; valueOf: string | null; start: number } | null {
	const stack: (string | null)[] = [];
	let pending: string | null = null;
	let segment = /^[ ]*(?:-[ ]+)*/.exec(s)![0].length;
	let start = segment;
	for (let i = segment; i < s.length; i++) {
		const c = s[i];
		if (pending === 'when' || pending === 'to') break; // the rest is CEL
		if (c === '"' || c === "'") {
			const end = s.indexOf(c, i + 1);
			if (end === -1) break;
			i = end;
		} else if (c === '#' && (i === 0 || s[i - 1] === ' ')) {
			return null;
		} else if (c === '{' || c === '[') {
			stack.push(pending);
			pending = null;
			segment = start = i + 1;
		} else if (c === '}' || c === ']') {
			stack.pop();
			pending = null;
			segment = start = i + 1;
		} else if (c === ',') {
			pending = null;
			segment = start = i + 1;
		} else if (c === ':' && (i + 1 === s.length || s[i + 1] === ' ')) {
			pending = s.slice(segment, i).trim().replace(/^-\s+/, '');
			start = i + 1;
		}
	}
	while (start < s.length && s[start] === ' ') start++;
	return { keys: stack.filter((k): k is string => k !== null), valueOf: pending, start };
}

/** The block keys enclosing line `row` at content indent `indent`. */
function blockPath(lines: string[], row: number, indent: number): string[] {
	const path: string[] = [];
	let limit = indent;
	for (let r = row - 1; r >= 0 && limit > 0; r--) {
		const line = lines[r]!;
		if (!line.trim() || line.trim().startsWith('#')) continue;
		const content = indentOf(line);
		if (content >= limit) continue;
		// A shallower line: a key whose value is the block below is a parent.
		const key = /^[ ]*(?:-[ ]+)*([^\s:#{}[\],]+):[ ]*(?:#.*)?$/.exec(line);
		if (key) path.unshift(key[1]!);
		limit = content;
	}
	return path;
}

export function spotAt(text: string, pos: number): Spot | null {
	const lineStart = text.lastIndexOf('\n', pos - 1) + 1;
	const before = text.slice(lineStart, pos);
	const lines = text.slice(0, lineStart).split('\n');
	lines.pop();
	const scan = scanLine(before);
	if (!scan) return null;
	const trimmed = before.trim();
	const indent = trimmed ? indentOf(before) : before.length;
	const path = [...blockPath(lines, lines.length, indent), ...scan.keys];
	const typed = before.slice(scan.start);
	if (scan.valueOf === null) {
		const word = /[A-Za-z_][\w]*$/.exec(typed)?.[0] ?? '';
		return { path, valueOf: null, typed: word, from: pos - word.length };
	}
	return { path, valueOf: scan.valueOf, typed, from: lineStart + scan.start };
}

function matchPath(pattern: string[], path: string[]): boolean {
	return pattern.length === path.length && pattern.every((p, i) => p === '*' || p === path[i]);
}

export function keysAt(lang: Language, path: string[]): Key[] | null {
	return lang.levels.find((level) => matchPath(level.path, path))?.keys ?? null;
}

/** The badge ids the file defines under `badges:`. */
export function badgeIds(text: string): string[] {
	const lines = text.split('\n');
	const start = lines.findIndex((l) => /^badges:\s*(#.*)?$/.test(l));
	if (start === -1) {
		const flow = /^badges:\s*\{(.*)\}\s*$/m.exec(text);
		return flow ? [...flow[1]!.matchAll(/(?:^|[{,]\s*)([a-z][a-z0-9_]*)\s*:\s*\{/g)].map((m) => m[1]!) : [];
	}
	const ids: string[] = [];
	let childIndent = -1;
	for (const line of lines.slice(start + 1)) {
		if (!line.trim() || line.trim().startsWith('#')) continue;
		const indent = /^ */.exec(line)![0].length;
		if (indent === 0) break;
		if (childIndent === -1) childIndent = indent;
		const key = /^ *([a-z][a-z0-9_]*):/.exec(line);
		if (indent === childIndent && key) ids.push(key[1]!);
	}
	return ids;
}

/** The event type of the rule (or test event) around `pos`, if it names one. */
export function eventTypeAt(text: string, pos: number, key = 'event'): string | null {
	const lines = text.split('\n');
	const row = text.slice(0, pos).split('\n').length - 1;
	const here = lines[row] ?? '';
	const found = new RegExp(`(?:^|[{,]\\s*|-\\s+)${key}:\\s*([a-z_]+\\.[a-z_]+)`);
	const same = found.exec(here);
	if (same && !/^\s*reverse_on:/.test(here)) return same[1]!;
	const indent = here.trim() ? indentOf(here) : here.length;
	const own = new RegExp(`^\\s*(?:-\\s+)?${key}:\\s*([a-z_]+\\.[a-z_]+)`);
	const dash = (line: string) => /^\s*/.exec(line)![0].length;
	// Up to the list item's dash, then through the item's lines (deeper than the dash).
	let top = row;
	while (top >= 0 && !(/^\s*-\s/.test(lines[top]!) && dash(lines[top]!) < indent)) top--;
	if (top < 0) return null;
	const keyIndent = indentOf(lines[top]!);
	for (let r = top; r < lines.length; r++) {
		const line = lines[r]!;
		if (r > top && line.trim() && dash(line) <= dash(lines[top]!)) break;
		const hit = own.exec(line);
		if (hit && indentOf(line) === keyIndent) return hit[1]!;
	}
	return null;
}

export type Offer = { label: string; type: string; detail?: string; info?: string; apply?: string };
export type Offers = { from: number; options: Offer[] };

const fieldOffer = (f: { name: string; type: string; help: string }): Offer => ({
	label: f.name,
	type: 'property',
	detail: f.type,
	info: f.help || undefined
});

function eventFields(lang: Language, type: string | null) {
	const own = lang.events.find((e) => e.type === type)?.fields ?? [];
	return [...own, ...lang.common_fields, ...lang.derived_fields];
}

function eventOffers(lang: Language, onlyReversing = false): Offer[] {
	return lang.events
		.filter((e) => !onlyReversing || e.reverses_by)
		.map((e) => ({ label: e.type, type: 'enum', detail: e.fields.map((f) => f.name).join(', ') || undefined }));
}

/** CEL: fields after `event.`/`actor.`/`subject.`, else the roots and functions. */
function celOffers(lang: Language, text: string, pos: number, value: string): Offers | null {
	const member = /\b(event|actor|subject)\.([A-Za-z_]*)$/.exec(value);
	if (member) {
		const fields = member[1] === 'event' ? eventFields(lang, eventTypeAt(text, pos)) : lang.profile_fields;
		return { from: pos - member[2]!.length, options: fields.map(fieldOffer) };
	}
	const method = /\.([A-Za-z_]*)$/.exec(value);
	const word = /[A-Za-z_]\w*$/.exec(value)?.[0] ?? '';
	const functions = lang.functions
		.filter((f) => f.name !== 'in' && (!method || f.signature.includes('.')))
		.map((f) => ({ label: f.name, type: 'function', detail: f.signature, info: f.help }));
	if (method) return { from: pos - method[1]!.length, options: functions };
	const roots = lang.roots.map((r) => ({ label: r.name, type: 'variable', info: r.help }));
	return { from: pos - word.length, options: [...roots, ...functions] };
}

/** What to offer at `pos`: keys of the level, values of the key, CEL inside conditions. */
export function offersAt(lang: Language, text: string, pos: number, explicit = false): Offers | null {
	const spot = spotAt(text, pos);
	if (!spot) return null;
	const { path, valueOf } = spot;
	if (valueOf === null) {
		if (!explicit && spot.typed.length === 0) return null;
		let keys = keysAt(lang, path);
		if (!keys && path.join('.') === 'tests.events') {
			const type = eventTypeAt(text, pos, 'type');
			const fields = type ? eventFields(lang, type).filter((f) => f.kind !== 'derived') : lang.common_fields;
			keys = [
				...fields.map((f) => ({ key: f.name, type: f.type, required: false, values: [], help: f.help })),
				...lang.test_event_keys
			];
		}
		if (!keys) return null;
		return {
			from: spot.from,
			options: keys.map((k) => ({ label: k.key, type: 'property', detail: k.type, info: k.help, apply: `${k.key}: ` }))
		};
	}
	const value = spot.typed;
	if (valueOf === 'when' || valueOf === 'to') {
		return celOffers(lang, text, pos, value);
	}
	if (/[\s]/.test(value)) return null; // past a plain value
	const parent = path.join('.');
	if (valueOf === 'event' && parent === 'rules.reverse_on') return { from: spot.from, options: eventOffers(lang, true) };
	if (valueOf === 'reverse_on') return { from: spot.from, options: eventOffers(lang, true) };
	if (valueOf === 'event' || (valueOf === 'type' && parent === 'tests.events')) return { from: spot.from, options: eventOffers(lang) };
	if (valueOf === 'badge' || valueOf === 'badges') {
		return { from: spot.from, options: badgeIds(text).map((id) => ({ label: id, type: 'constant' })) };
	}
	const key = keysAt(lang, path)?.find((k) => k.key === valueOf);
	if (key?.values.length) return { from: spot.from, options: key.values.map((v) => ({ label: v, type: 'enum', info: key.help })) };
	return null;
}

export type Help = { from: number; to: number; title: string; body: string };

/** The few words of the help's own, in the user's language (English by default). */
export type HelpWords = { required: string; linksBy: (field: string) => string };
const ENGLISH_WORDS: HelpWords = { required: 'required', linksBy: (field) => `reverse_on links by ${field}` };

/** Help for the word under `pos`: a key, an event type, a field, a function. */
export function helpAt(lang: Language, text: string, pos: number, said: HelpWords = ENGLISH_WORDS): Help | null {
	const lineStart = text.lastIndexOf('\n', pos - 1) + 1;
	const lineEnd = text.indexOf('\n', pos) === -1 ? text.length : text.indexOf('\n', pos);
	const line = text.slice(lineStart, lineEnd);
	const at = pos - lineStart;
	const words = [...line.matchAll(/[A-Za-z_][\w.]*/g)];
	const hit = words.find((w) => w.index! <= at && at <= w.index! + w[0].length);
	if (!hit) return null;
	const word = hit[0].replace(/\.$/, '');
	const from = lineStart + hit.index!;
	const to = from + word.length;
	const after = line.slice(hit.index! + hit[0].length);
	if (/^\s*:(\s|$)/.test(after) && !word.includes('.')) {
		const spot = spotAt(text, from + word.length);
		const key = spot ? keysAt(lang, spot.path)?.find((k) => k.key === word) : undefined;
		const field = !key ? [...lang.common_fields, ...lang.test_event_keys.map((k) => ({ name: k.key, type: k.type, help: k.help }))].find((f) => f.name === word) : undefined;
		if (key) return { from, to, title: `${key.key}: ${key.type}${key.required ? ` (${said.required})` : ''}`, body: key.help + (key.values.length ? ` (${key.values.join(', ')})` : '') };
		if (field) return { from, to, title: `${field.name}: ${field.type}`, body: field.help };
		return null;
	}
	const event = lang.events.find((e) => e.type === word);
	if (event) {
		const fields = event.fields.map((f) => `${f.name} ${f.type}`).join(', ') || '—';
		return { from, to, title: event.type, body: fields + (event.reverses_by ? ` · ${said.linksBy(event.reverses_by)}` : '') };
	}
	const member = /^(event|actor|subject)\.(\w+)$/.exec(word);
	if (member) {
		const fields = member[1] === 'event' ? eventFields(lang, eventTypeAt(text, pos)) : lang.profile_fields;
		const field = fields.find((f) => f.name === member[2]);
		if (field) return { from, to, title: `${word}: ${field.type}`, body: field.help };
	}
	const name = word.split('.').pop()!;
	const fn = lang.functions.find((f) => f.name === name && /\(/.test(line.slice(to - lineStart, to - lineStart + 1)));
	if (fn) {
		const start = to - name.length;
		return { from: start, to, title: fn.signature, body: `${fn.help} · ${fn.example}` };
	}
	const root = lang.roots.find((r) => r.name === word);
	if (root) return { from, to, title: root.name, body: root.help };
	return null;
}
