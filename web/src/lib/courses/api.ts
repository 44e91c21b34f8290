/** The courses API through the app's one client (typed, CSRF, ApiError, the retry). */
import { api } from '$lib/api/client';
import type { AssignmentIn, Attempt, LessonIn, LessonPatch, QuestionIn, Result } from './types';

const course = (id: number) => ({ params: { path: { id } } });
const lessonPath = (id: number, lesson_id: number) => ({ params: { path: { id, lesson_id } } });

export const coursesApi = {
	list: async () => (await api.GET('/api/courses')).data!,
	course: async (id: number) => (await api.GET('/api/courses/{id}', course(id))).data!,
	lesson: async (id: number, lessonId: number) => (await api.GET('/api/courses/{id}/lessons/{lesson_id}', lessonPath(id, lessonId))).data!,
	read: async (id: number, lessonId: number) => (await api.POST('/api/courses/{id}/lessons/{lesson_id}/read', lessonPath(id, lessonId))).data!,
	start: async (id: number, lessonId: number) => (await api.POST('/api/courses/{id}/lessons/{lesson_id}/attempts', lessonPath(id, lessonId))).data!,
	attempt: async (id: number): Promise<Attempt | Result> => (await api.GET('/api/attempts/{id}', course(id))).data!,
	submit: async (id: number, answers: Record<string, number[]>) =>
		(await api.POST('/api/attempts/{id}/submit', { params: { path: { id } }, body: { answers } })).data!,
	progress: async (id: number, store: string | null) =>
		(await api.GET('/api/courses/{id}/progress', { params: { path: { id }, query: store ? { store } : {} } })).data!
};

export const adminCoursesApi = {
	list: async () => (await api.GET('/api/admin/courses')).data!,
	create: async (body: { title: string; summary: string }) => (await api.POST('/api/admin/courses', { body })).data!,
	get: async (id: number) => (await api.GET('/api/admin/courses/{id}', course(id))).data!,
	patch: async (id: number, body: { title?: string; summary?: string; cover_upload_id?: number | null }) =>
		(await api.PATCH('/api/admin/courses/{id}', { ...course(id), body })).data!,
	publish: async (id: number) => (await api.POST('/api/admin/courses/{id}/publish', course(id))).data!,
	unpublish: async (id: number) => (await api.POST('/api/admin/courses/{id}/unpublish', course(id))).data!,
	addLesson: async (id: number, body: LessonIn) => (await api.POST('/api/admin/courses/{id}/lessons', { ...course(id), body })).data!,
	patchLesson: async (id: number, lessonId: number, body: LessonPatch) =>
		(await api.PATCH('/api/admin/courses/{id}/lessons/{lesson_id}', { ...lessonPath(id, lessonId), body })).data!,
	deleteLesson: async (id: number, lessonId: number) => (await api.DELETE('/api/admin/courses/{id}/lessons/{lesson_id}', lessonPath(id, lessonId))).data!,
	addQuestion: async (id: number, body: QuestionIn) => (await api.POST('/api/admin/courses/{id}/questions', { ...course(id), body })).data!,
	patchQuestion: async (id: number, qid: number, body: QuestionIn) =>
		(await api.PATCH('/api/admin/courses/{id}/questions/{qid}', { params: { path: { id, qid } }, body })).data!,
	deleteQuestion: async (id: number, qid: number) => (await api.DELETE('/api/admin/courses/{id}/questions/{qid}', { params: { path: { id, qid } } })).data!,
	assign: async (id: number, body: AssignmentIn) => (await api.POST('/api/admin/courses/{id}/assignments', { ...course(id), body })).data!,
	unassign: async (id: number, aid: number) => (await api.DELETE('/api/admin/courses/{id}/assignments/{aid}', { params: { path: { id, aid } } })).data!,
	preview: async (id: number, body_md: string) => (await api.POST('/api/admin/courses/{id}/preview-markdown', { ...course(id), body: { body_md } })).data!
};

export function isResult(value: Attempt | Result): value is Result {
	return value.submitted === true;
}
