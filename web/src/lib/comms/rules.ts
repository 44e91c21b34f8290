import type { components } from '$lib/api/client';

/** The rule editor's pure logic: the checker that keeps only the newest answer, problems
 * placed in the text, test lines read, the dry run's tables and their CSV, the unsaved text. */

export type Problem = { line: number; column: number; message: string };
export type CheckAnswer = { ok: boolean; version: string; problems: Problem[] };

/**
 * Runs `check` on the text once typing pauses for `delay` ms. Only the answer to the newest
 * text is delivered: an answer that arrives after the text changed again is dropped.
 */
export class Checker {
	#timer: ReturnType<typeof setTimeout> | null = null;
	#generation = 0;

	constructor(
		private check: (text: string) => Promise<CheckAnswer>,
		private deliver: (answer: CheckAnswer, text: string) => void,
		private failed: (error: unknown) => void = () => {},
		private delay = 400
	) {}

	/** The text changed: check it after the pause (an earlier pending check is dropped). */
	schedule(text: string): void {
		const generation = ++this.#generation;
		if (this.#timer !== null) clearTimeout(this.#timer);
		this.#timer = setTimeout(() => {
			this.#timer = null;
			void this.#run(text, generation);
		}, this.delay);
	}

	/** Check now, without the pause. */
	now(text: string): Promise<void> {
		const generation = ++this.#generation;
		if (this.#timer !== null) clearTimeout(this.#timer);
		this.#timer = null;
		return this.#run(text, generation);
	}

	async #run(text: string, generation: number): Promise<void> {
		try {
			const answer = await this.check(text);
			if (generation === this.#generation) this.deliver(answer, text);
		} catch (error) {
			if (generation === this.#generation) this.failed(error);
		}
	}

	stop(): void {
		if (this.#timer !== null) clearTimeout(this.#timer);
		this.#timer = null;
		this.#generation++;
	}
}

/** The offset in `text` of a 1-based line and column, kept inside the text. */
export function offsetOf(text: string, line: number, column: number): number {
	const lines = text.split('\n');
	const row = Math.min(Math.max(line, 1), lines.length) - 1;
	let offset = 0;
	for (let i = 0; i < row; i++) offset += (lines[i] ?? '').length + 1;
	return offset + Math.min(Math.max(column, 1) - 1, (lines[row] ?? '').length);
}

/** Where a problem's marker ends: the end of the word it starts at (at least one char). */
export function problemRange(text: string, problem: Problem): { from: number; to: number } {
	const from = offsetOf(text, problem.line, problem.column);
	const lineEnd = text.indexOf('\n', from);
	const end = lineEnd === -1 ? text.length : lineEnd;
	const word = /^[^\s:,{}[\]]+/.exec(text.slice(from, end));
	const to = word ? from + word[0].length : Math.min(from + 1, end);
	return { from, to: Math.max(to, from) };
}

/** The index of the problem after the cursor's line (wrapping round), for "next problem". */
export function nextProblem(problems: Problem[], line: number, column: number): number {
	if (problems.length === 0) return -1;
	const after = problems.findIndex((p) => p.line > line || (p.line === line && p.column > column));
	return after === -1 ? 0 : after;
}

/** One line of a test report: "ok u1 points: expected 30, got 30". */
export type TestLine = { passed: boolean; user: string; key: string; expected: string; actual: string } | { raw: string };

export function parseTestLine(line: string): TestLine {
	const found = /^(ok|FAIL) (\S+) (\w+): expected (.*), got (.*)$/.exec(line);
	if (!found) return { raw: line };
	const [, mark = '', user = '', key = '', expected = '', actual = ''] = found;
	return { passed: mark === 'ok', user, key, expected, actual };
}

export type Pair = { published: number; draft: number };
/** The server's dry-run report (`DryRunOut`). */
export type DryRun = components['schemas']['DryRunOut'];

export type RuleRow = { rule: string; published: number; draft: number; change: number };
export type PersonRow = { user: string; points: Pair; spins: Pair; change: number };
export type StoreRow = { store: string; people: number; points: Pair; spins: Pair; change: number };
export type RulePoints = { rule: string; published: number; draft: number };

function pair(value: unknown): Pair {
	const v = (value ?? {}) as Record<string, unknown>;
	return { published: Number(v.published ?? 0), draft: Number(v.draft ?? 0) };
}

/** Rules with their award counts before and after, the biggest change first. */
export function ruleRows(report: DryRun): RuleRow[] {
	return Object.entries(report.rules)
		.map(([rule, counts]) => {
			const p = pair(counts);
			return { rule, ...p, change: p.draft - p.published };
		})
		.sort((a, b) => Math.abs(b.change) - Math.abs(a.change) || a.rule.localeCompare(b.rule));
}

/** People whose totals move, the biggest move in points first. */
export function personRows(report: DryRun): PersonRow[] {
	return report.movers
		.map((mover) => {
			const points = pair(mover.points);
			return { user: String(mover.user), points, spins: pair(mover.spins), change: points.draft - points.published };
		})
		.sort((a, b) => Math.abs(b.change) - Math.abs(a.change) || a.user.localeCompare(b.user));
}

/** The stores the server summed (every person, not only the movers), as rows. */
export function storeRows(report: DryRun): StoreRow[] {
	return report.stores.map((s) => ({ ...s, change: s.points.draft - s.points.published }));
}

/** Points per rule before and after, rules that give points only, the most first. */
export function rulePoints(report: DryRun): RulePoints[] {
	return Object.entries(report.rule_points)
		.map(([rule, p]) => ({ rule, published: p.published, draft: p.draft }))
		.filter((r) => r.published || r.draft)
		.sort((a, b) => Math.max(b.published, b.draft) - Math.max(a.published, a.draft) || a.rule.localeCompare(b.rule));
}

/** A background dry run's progress as a whole percentage (null while events are read). */
export function percentDone(done: number, total: number): number | null {
	return total > 0 ? Math.min(100, Math.floor((done * 100) / total)) : null;
}

function csvCell(value: string | number): string {
	const text = String(value);
	// A leading = + - @ would be a formula in a spreadsheet: quote it as text.
	const safe = /^[=+\-@\t\r]/.test(text) && !/^-?\d+(\.\d+)?$/.test(text) ? "'" + text : text;
	return /[",\n\r;]/.test(safe) ? '"' + safe.replaceAll('"', '""') + '"' : safe;
}

export function csvTable(rows: (string | number)[][]): string {
	return rows.map((row) => row.map(csvCell).join(',')).join('\r\n');
}

/** Several titled tables in one CSV, a blank line between them. */
export function csvReport(tables: { title: string; rows: (string | number)[][] }[]): string {
	return tables.map((t) => csvTable([[t.title], ...t.rows])).join('\r\n\r\n') + '\r\n';
}

/** Unsaved text kept in the browser so nothing typed is lost. */
export type Unsaved = { base: string; text: string };
const KEY = 'plaza.rules.unsaved';

export function loadUnsaved(storage: Storage | undefined = globalThis.localStorage): Unsaved | null {
	try {
		const value = JSON.parse(storage?.getItem(KEY) ?? 'null');
		return value && typeof value.text === 'string' && typeof value.base === 'string' ? value : null;
	} catch {
		return null;
	}
}

export function saveUnsaved(value: Unsaved | null, storage: Storage | undefined = globalThis.localStorage): void {
	try {
		if (value === null) storage?.removeItem(KEY);
		else storage?.setItem(KEY, JSON.stringify(value));
	} catch {
		// A full or disabled storage: the text stays in the editor.
	}
}

/** The roles the server lets edit rules (server/rulesets/endpoints.py EDITORS). */
export const RULE_EDITORS = ['comms', 'admin'];

/**
 * The line (1-based) a link into the editor asks for: `?line=12`, or `?contest=<id>`, the
 * line of that contest's `id:` in the ruleset's `contests:` section (null: none asked or
 * not found).
 */
export function requestedLine(text: string, params: URLSearchParams): number | null {
	const lines = text.split('\n');
	const line = Number(params.get('line'));
	if (Number.isInteger(line) && line >= 1) return Math.min(line, lines.length);
	const contest = params.get('contest');
	if (!contest) return null;
	const quoted = contest.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
	const pattern = new RegExp(`^\\s*(?:-\\s+)?id:\\s*['"]?${quoted}['"]?\\s*(?:#.*)?$`);
	let inContests = false;
	for (const [i, text] of lines.entries()) {
		if (/^\S/.test(text)) inContests = /^contests:/.test(text);
		if (inContests && pattern.test(text)) return i + 1;
	}
	return null;
}
