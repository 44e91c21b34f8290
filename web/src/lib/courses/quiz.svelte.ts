/**
 * Taking a quiz: the answer sheet (kept in localStorage per attempt, so a reload or a lost
 * tab keeps the chosen options until the server has graded them) and the countdown (from
 * the server's deadline, announced to screen readers at one minute and ten seconds only).
 */
import type { AttemptQuestion, QuestionKind } from './types';

export type Answers = Record<string, number[]>;

const PREFIX = 'plaza.quiz.';

/** The storage key of one attempt's chosen options. */
export function sheetKey(attemptId: number): string {
	return PREFIX + attemptId;
}

/** A new set of answers after choosing `option`: a radio replaces, a checkbox toggles. */
export function choose(answers: Answers, questionId: number, kind: QuestionKind, option: number): Answers {
	const key = String(questionId);
	const current = answers[key] ?? [];
	let next: number[];
	if (kind === 'multiple') next = current.includes(option) ? current.filter((o) => o !== option) : [...current, option];
	else next = [option];
	return { ...answers, [key]: next };
}

/** The questions with no option chosen, in the order they are shown. */
export function unanswered(questions: AttemptQuestion[], answers: Answers): AttemptQuestion[] {
	return questions.filter((q) => !(answers[String(q.id)]?.length ?? 0));
}

/** Only answers to this attempt's questions and options (a stale or tampered copy is ignored). */
export function sanitize(questions: AttemptQuestion[], raw: unknown): Answers {
	const out: Answers = {};
	if (!raw || typeof raw !== 'object') return out;
	for (const q of questions) {
		const value = (raw as Record<string, unknown>)[String(q.id)];
		if (!Array.isArray(value)) continue;
		const ids = new Set(q.options.map((o) => o.id));
		let chosen = [...new Set(value.filter((v): v is number => typeof v === 'number' && ids.has(v)))];
		if (q.kind !== 'multiple') chosen = chosen.slice(0, 1);
		if (chosen.length) out[String(q.id)] = chosen;
	}
	return out;
}

/** One attempt's answers, reactive, saved on every change. */
export class AnswerSheet {
	answers = $state<Answers>({});
	readonly #key: string;
	readonly #storage: Storage | null;

	constructor(attemptId: number, questions: AttemptQuestion[], storage: Storage | null = globalThis.localStorage ?? null) {
		this.#key = sheetKey(attemptId);
		this.#storage = storage;
		try {
			const saved = storage?.getItem(this.#key);
			if (saved) this.answers = sanitize(questions, JSON.parse(saved));
		} catch {
			// A broken copy is no copy.
		}
	}

	choose(question: AttemptQuestion, option: number): void {
		this.answers = choose(this.answers, question.id, question.kind, option);
		this.#save();
	}

	chosen(questionId: number, option: number): boolean {
		return this.answers[String(questionId)]?.includes(option) ?? false;
	}

	answered(questionId: number): boolean {
		return (this.answers[String(questionId)]?.length ?? 0) > 0;
	}

	/** After the server graded the attempt: nothing more to keep. */
	clear(): void {
		try {
			this.#storage?.removeItem(this.#key);
		} catch {
			// Nothing to do.
		}
	}

	#save(): void {
		try {
			this.#storage?.setItem(this.#key, JSON.stringify(this.answers));
		} catch {
			// Storage full or refused: the answers still live in the page.
		}
	}
}

/** Whole seconds left until `deadline`, never below zero. `skew`: server clock minus ours, ms. */
export function secondsLeft(deadline: string, now: number, skew = 0): number {
	return Math.max(0, Math.ceil((new Date(deadline).getTime() - (now + skew)) / 1000));
}

/** "4:05", "1:02:03" for the visible clock. */
export function clock(seconds: number): string {
	const s = Math.max(0, Math.floor(seconds));
	const h = Math.floor(s / 3600);
	const mm = Math.floor((s % 3600) / 60);
	const ss = String(s % 60).padStart(2, '0');
	return h > 0 ? `${h}:${String(mm).padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}

/** The moments worth telling a screen reader about (seconds left). */
export const ANNOUNCE_AT = [60, 10] as const;

/**
 * The announcement due when the clock moved from `before` to `now` seconds left: the
 * threshold just crossed, or null. Jumps (a tab asleep) announce only the last one crossed.
 */
export function crossed(before: number, now: number): number | null {
	let hit: number | null = null;
	for (const at of ANNOUNCE_AT) if (before > at && now <= at && now > 0) hit = at;
	return hit;
}

/** "danger" under a minute, "warning" under a fifth of the time, else "normal". */
export function urgency(left: number, total: number): 'danger' | 'warning' | 'normal' {
	if (left <= 60) return 'danger';
	if (total > 0 && left <= total / 5) return 'warning';
	return 'normal';
}
