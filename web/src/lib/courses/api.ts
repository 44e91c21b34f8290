/**
 * The courses API through the app's one client (CSRF, ApiError, the retry).
 * TEMPORARY loose typing: the paths are not in schema.d.ts until the server branch lands;
 * then these become plain `api.GET('/api/courses', ...)` calls with generated types.
 */
import { api } from '$lib/api/client';
import type { AdminCourse, AdminCourseRow, Attempt, Course, CourseCard, Lesson, LessonCard, Progress, Result } from './types';

type Loose = (path: string, init?: Record<string, unknown>) => Promise<{ data?: unknown }>;
const client = api as unknown as { GET: Loose; POST: Loose; PATCH: Loose; DELETE: Loose };

async function get<T>(path: string, pathParams: Record<string, number> = {}, query?: Record<string, string>): Promise<T> {
	const { data } = await client.GET(path, { params: { path: pathParams, query } });
	return data as T;
}
async function send<T>(method: 'POST' | 'PATCH' | 'DELETE', path: string, pathParams: Record<string, number>, body?: unknown): Promise<T> {
	const { data } = await client[method](path, { params: { path: pathParams }, body });
	return data as T;
}

export const coursesApi = {
	list: () => get<{ items: CourseCard[] }>('/api/courses'),
	course: (id: number) => get<Course>('/api/courses/{id}', { id }),
	lesson: (id: number, lessonId: number) => get<Lesson>('/api/courses/{id}/lessons/{lesson_id}', { id, lesson_id: lessonId }),
	read: (id: number, lessonId: number) => send<LessonCard>('POST', '/api/courses/{id}/lessons/{lesson_id}/read', { id, lesson_id: lessonId }),
	start: (id: number, lessonId: number) => send<Attempt>('POST', '/api/courses/{id}/lessons/{lesson_id}/attempts', { id, lesson_id: lessonId }),
	attempt: (id: number) => get<Attempt | Result>('/api/attempts/{id}', { id }),
	submit: (id: number, answers: Record<string, number[]>) => send<Result>('POST', '/api/attempts/{id}/submit', { id }, { answers }),
	progress: (id: number, store: string | null) =>
		get<Progress>('/api/courses/{id}/progress', { id }, store ? { store } : undefined)
};

export const adminCoursesApi = {
	list: () => get<{ items: AdminCourseRow[] }>('/api/admin/courses'),
	create: (body: { title: string; summary: string }) => send<AdminCourse>('POST', '/api/admin/courses', {}, body),
	get: (id: number) => get<AdminCourse>('/api/admin/courses/{id}', { id }),
	patch: (id: number, body: Record<string, unknown>) => send<AdminCourse>('PATCH', '/api/admin/courses/{id}', { id }, body),
	publish: (id: number) => send<AdminCourse>('POST', '/api/admin/courses/{id}/publish', { id }),
	unpublish: (id: number) => send<AdminCourse>('POST', '/api/admin/courses/{id}/unpublish', { id }),
	addLesson: (id: number, body: Record<string, unknown>) => send<AdminCourse>('POST', '/api/admin/courses/{id}/lessons', { id }, body),
	patchLesson: (id: number, lessonId: number, body: Record<string, unknown>) =>
		send<AdminCourse>('PATCH', '/api/admin/courses/{id}/lessons/{lesson_id}', { id, lesson_id: lessonId }, body),
	deleteLesson: (id: number, lessonId: number) =>
		send<AdminCourse>('DELETE', '/api/admin/courses/{id}/lessons/{lesson_id}', { id, lesson_id: lessonId }),
	addQuestion: (id: number, body: Record<string, unknown>) => send<AdminCourse>('POST', '/api/admin/courses/{id}/questions', { id }, body),
	patchQuestion: (id: number, qid: number, body: Record<string, unknown>) =>
		send<AdminCourse>('PATCH', '/api/admin/courses/{id}/questions/{qid}', { id, qid }, body),
	deleteQuestion: (id: number, qid: number) => send<AdminCourse>('DELETE', '/api/admin/courses/{id}/questions/{qid}', { id, qid }),
	assign: (id: number, body: Record<string, unknown>) => send<AdminCourse>('POST', '/api/admin/courses/{id}/assignments', { id }, body),
	unassign: (id: number, aid: number) => send<AdminCourse>('DELETE', '/api/admin/courses/{id}/assignments/{aid}', { id, aid }),
	preview: (id: number, body_md: string) => send<{ html: string }>('POST', '/api/admin/courses/{id}/preview-markdown', { id }, { body_md })
};

export function isResult(value: Attempt | Result): value is Result {
	return value.submitted === true;
}
