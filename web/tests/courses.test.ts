import { describe, expect, it } from 'vitest';
import { attemptsLeft, groupCourses, nextLesson, progressPercent } from '../src/lib/courses/courses';
import { AnswerSheet, choose, clock, crossed, sanitize, secondsLeft, sheetKey, unanswered, urgency } from '../src/lib/courses/quiz.svelte';
import type { AttemptQuestion, CourseCard, LessonCard } from '../src/lib/courses/types';
import { describe as describeNote, type Notification } from '../src/lib/notify/describe';
import { setLocale } from '../src/lib/paraglide/runtime.js';

const questions: AttemptQuestion[] = [
	{ id: 1, kind: 'single', text: 'One?', options: [{ id: 11, text: 'a' }, { id: 12, text: 'b' }] },
	{ id: 2, kind: 'multiple', text: 'Many?', options: [{ id: 21, text: 'a' }, { id: 22, text: 'b' }, { id: 23, text: 'c' }] },
	{ id: 3, kind: 'true_false', text: 'True?', options: [{ id: 31, text: 'True' }, { id: 32, text: 'False' }] }
];

class MemoryStorage implements Storage {
	#items = new Map<string, string>();
	get length() {
		return this.#items.size;
	}
	clear() {
		this.#items.clear();
	}
	getItem(key: string) {
		return this.#items.get(key) ?? null;
	}
	key(index: number) {
		return [...this.#items.keys()][index] ?? null;
	}
	removeItem(key: string) {
		this.#items.delete(key);
	}
	setItem(key: string, value: string) {
		this.#items.set(key, value);
	}
}

describe('the answer sheet', () => {
	it('replaces a radio choice and toggles checkboxes', () => {
		let answers = choose({}, 1, 'single', 11);
		answers = choose(answers, 1, 'single', 12);
		expect(answers['1']).toEqual([12]);
		answers = choose(answers, 2, 'multiple', 21);
		answers = choose(answers, 2, 'multiple', 23);
		answers = choose(answers, 2, 'multiple', 21);
		expect(answers['2']).toEqual([23]);
		answers = choose(answers, 3, 'true_false', 32);
		expect(answers['3']).toEqual([32]);
	});

	it('lists the questions still without an answer, in order', () => {
		expect(unanswered(questions, { '2': [21] }).map((q) => q.id)).toEqual([1, 3]);
		expect(unanswered(questions, { '1': [11], '2': [], '3': [31] }).map((q) => q.id)).toEqual([2]);
	});

	it('keeps the chosen options across a reload of the page, per attempt', () => {
		const storage = new MemoryStorage();
		const sheet = new AnswerSheet(7, questions, storage);
		sheet.choose(questions[0]!, 12);
		sheet.choose(questions[1]!, 22);
		sheet.choose(questions[1]!, 23);
		const reloaded = new AnswerSheet(7, questions, storage);
		expect(reloaded.answers).toEqual({ '1': [12], '2': [22, 23] });
		expect(reloaded.chosen(2, 23)).toBe(true);
		expect(reloaded.answered(3)).toBe(false);
		expect(new AnswerSheet(8, questions, storage).answers).toEqual({});
		reloaded.clear();
		expect(storage.getItem(sheetKey(7))).toBeNull();
	});

	it('ignores a broken or foreign copy in storage', () => {
		const storage = new MemoryStorage();
		storage.setItem(sheetKey(9), '{not json');
		expect(new AnswerSheet(9, questions, storage).answers).toEqual({});
		expect(sanitize(questions, { '1': [11, 12], '2': [99, 21, 21], '3': 'x', '4': [1] })).toEqual({ '1': [11], '2': [21] });
		expect(sanitize(questions, null)).toEqual({});
	});

	it('still works when storage refuses', () => {
		const broken = new MemoryStorage();
		broken.setItem = () => {
			throw new Error('quota');
		};
		const sheet = new AnswerSheet(1, questions, broken);
		sheet.choose(questions[0]!, 11);
		expect(sheet.answers).toEqual({ '1': [11] });
	});
});

describe('the countdown', () => {
	const deadline = '2026-12-06T10:05:00Z';
	const at = (iso: string) => new Date(iso).getTime();

	it('counts whole seconds to the deadline, never below zero, with the clock skew', () => {
		expect(secondsLeft(deadline, at('2026-12-06T10:00:00Z'))).toBe(300);
		expect(secondsLeft(deadline, at('2026-12-06T10:04:59.500Z'))).toBe(1);
		expect(secondsLeft(deadline, at('2026-12-06T10:06:00Z'))).toBe(0);
		// Our clock is 30 s behind the server's.
		expect(secondsLeft(deadline, at('2026-12-06T10:00:00Z'), 30_000)).toBe(270);
	});

	it('shows minutes and seconds, and hours when there are any', () => {
		expect(clock(245)).toBe('4:05');
		expect(clock(9)).toBe('0:09');
		expect(clock(3723)).toBe('1:02:03');
		expect(clock(-3)).toBe('0:00');
	});

	it('announces at one minute and ten seconds only, once each', () => {
		expect(crossed(62, 61)).toBeNull();
		expect(crossed(61, 60)).toBe(60);
		expect(crossed(60, 59)).toBeNull();
		expect(crossed(11, 10)).toBe(10);
		expect(crossed(10, 9)).toBeNull();
		// A tab asleep from 90 s to 5 s: only the last threshold crossed.
		expect(crossed(90, 5)).toBe(10);
		// Time is up: the auto-submit says so, not the countdown.
		expect(crossed(3, 0)).toBeNull();
	});

	it('turns urgent in the last fifth and the last minute', () => {
		expect(urgency(500, 600)).toBe('normal');
		expect(urgency(120, 600)).toBe('warning');
		expect(urgency(60, 600)).toBe('danger');
	});
});

describe('my courses', () => {
	const card = (id: number, extra: Partial<CourseCard>): CourseCard => ({
		id,
		title: `Course ${id}`,
		summary: '',
		cover_url: null,
		lessons: 3,
		done_lessons: 0,
		status: 'not_started',
		due_at: null,
		overdue: false,
		assigned: false,
		completed_at: null,
		...extra
	});

	it('puts assigned courses first (overdue, then soonest due), then open ones, then completed', () => {
		const groups = groupCourses([
			card(1, { status: 'completed', assigned: true, completed_at: '2026-11-01T00:00:00Z' }),
			card(2, {}),
			card(3, { assigned: true, due_at: '2026-12-20T00:00:00Z' }),
			card(4, { assigned: true, due_at: '2026-12-10T00:00:00Z' }),
			card(5, { assigned: true, due_at: '2026-12-01T00:00:00Z', overdue: true }),
			card(6, { status: 'completed', completed_at: '2026-12-01T00:00:00Z' })
		]);
		expect(groups.assigned.map((c) => c.id)).toEqual([5, 4, 3]);
		expect(groups.open.map((c) => c.id)).toEqual([2]);
		expect(groups.completed.map((c) => c.id)).toEqual([6, 1]);
	});

	it('computes progress and the lesson to continue with', () => {
		expect(progressPercent(2, 3)).toBe(67);
		expect(progressPercent(0, 0)).toBe(0);
		expect(progressPercent(5, 3)).toBe(100);
		const lessons: LessonCard[] = [
			{ id: 1, position: 1, title: 'a', done: true, quiz: null },
			{ id: 2, position: 2, title: 'b', done: false, quiz: null }
		];
		expect(nextLesson(lessons)?.id).toBe(2);
		expect(nextLesson(lessons.map((l) => ({ ...l, done: true })))?.id).toBe(1);
		expect(nextLesson([])).toBeNull();
		expect(attemptsLeft({ attempts: 3, attempts_used: 1 })).toBe(2);
		expect(attemptsLeft({ attempts: 1, attempts_used: 2 })).toBe(0);
	});
});

describe('course notifications', () => {
	const note = (kind: string, payload: Record<string, unknown>): Notification => ({
		id: 1,
		kind,
		payload,
		created_at: '2026-12-06T10:00:00Z',
		read_at: null,
		actor: null
	});

	it('says a course was assigned or is due soon, and links to it', () => {
		setLocale('en', { reload: false });
		expect(describeNote(note('course.assigned', { course_id: 4, title: 'Safety', due_at: null }))).toMatchObject({
			text: 'A course for you: “Safety”',
			href: '/courses/4'
		});
		expect(describeNote(note('course.due_soon', { course_id: 4, title: 'Safety', due_at: '2026-12-07T18:00:00Z' })).text).toContain('“Safety” is due');
		expect(describeNote(note('course.assigned', { title: 'Safety' })).href).toBe('/courses');
	});
});

describe('altFromName', () => {
	it('reads a picture file name as its alt text, with nothing Markdown would break on', async () => {
		const { altFromName } = await import('$lib/api/attachments');
		expect(altFromName('shelf-display_2.JPG')).toBe('shelf display 2');
		expect(altFromName('[draft](v2).png')).toBe('draftv2');
		expect(altFromName('photo')).toBe('photo');
	});
});
