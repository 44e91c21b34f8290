/** Pure helpers for the courses screens. */
import type { CourseCard, LessonCard } from './types';

/** "My courses": assigned first (soonest due, overdue on top), then open ones, then completed. */
export function groupCourses(items: CourseCard[]): { assigned: CourseCard[]; open: CourseCard[]; completed: CourseCard[] } {
	const due = (c: CourseCard) => (c.due_at ? new Date(c.due_at).getTime() : Number.POSITIVE_INFINITY);
	const assigned = items
		.filter((c) => c.status !== 'completed' && c.assigned)
		.sort((a, b) => Number(b.overdue) - Number(a.overdue) || due(a) - due(b) || a.title.localeCompare(b.title));
	const open = items.filter((c) => c.status !== 'completed' && !c.assigned);
	const completed = items
		.filter((c) => c.status === 'completed')
		.sort((a, b) => (b.completed_at ?? '').localeCompare(a.completed_at ?? ''));
	return { assigned, open, completed };
}

/** Whole per cent of lessons done (0 for a course without lessons). */
export function progressPercent(done: number, total: number): number {
	return total > 0 ? Math.round((Math.min(done, total) / total) * 100) : 0;
}

/** The lesson "Continue" opens: the first one not done, else the first. */
export function nextLesson(lessons: LessonCard[]): LessonCard | null {
	return lessons.find((l) => !l.done) ?? lessons[0] ?? null;
}

/** Attempts still allowed for a quiz. */
export function attemptsLeft(quiz: { attempts: number; attempts_used: number }): number {
	return Math.max(0, quiz.attempts - quiz.attempts_used);
}
