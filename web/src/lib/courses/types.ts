/**
 * TEMPORARY: the courses API as the contract (`/work/briefs/courses-api.md`) describes it,
 * until the server branch lands and `make web-types` generates these into schema.d.ts.
 * Delete this file then and take the types from `components['schemas']`.
 */
export type CourseStatus = 'not_started' | 'in_progress' | 'completed';

export type CourseCard = {
	id: number;
	title: string;
	summary: string;
	cover_url: string | null;
	lessons: number;
	done_lessons: number;
	status: CourseStatus;
	due_at: string | null;
	overdue: boolean;
	assigned: boolean;
	completed_at: string | null;
};

export type QuizCard = {
	questions: number;
	time_limit_s: number;
	pass_mark: number;
	attempts: number;
	attempts_used: number;
	best_score: number | null;
	passed: boolean;
	open_attempt_id: number | null;
};

export type LessonCard = { id: number; position: number; title: string; done: boolean; quiz: QuizCard | null };
export type Course = Omit<CourseCard, 'lessons'> & { lessons: LessonCard[] };
export type Lesson = LessonCard & { html: string; prev_id: number | null; next_id: number | null };

export type QuestionKind = 'single' | 'multiple' | 'true_false';
export type AttemptQuestion = { id: number; kind: QuestionKind; text: string; options: { id: number; text: string }[] };
export type Attempt = {
	id: number;
	lesson_id: number;
	course_id: number;
	started_at: string;
	deadline: string;
	submitted: false;
	questions: AttemptQuestion[];
};
export type ResultQuestion = {
	id: number;
	kind: QuestionKind;
	text: string;
	options: { id: number; text: string; correct: boolean; chosen: boolean }[];
	right: boolean;
	explanation: string;
};
export type Result = {
	attempt_id: number;
	submitted: true;
	score: number;
	correct: number;
	total: number;
	passed: boolean;
	pass_mark: number;
	attempts_left: number;
	late: boolean;
	course_completed: boolean;
	points: number | null;
	questions: ResultQuestion[];
};

export type ProgressItem = {
	person: { id: number; name: string; avatar_url: string | null; store: string | null };
	status: CourseStatus;
	done_lessons: number;
	lessons: number;
	best_scores: (number | null)[];
	completed_at: string | null;
	overdue: boolean;
};
export type Progress = {
	course: CourseCard;
	summary: { people: number; completed: number; in_progress: number; not_started: number; overdue: number };
	items: ProgressItem[];
};

export type AudienceKind = 'everyone' | 'store' | 'department' | 'city' | 'region';
export type QuizSettings = { question_count: number; time_limit_s: number; pass_mark: number; attempts: number };
export type AdminLesson = { id: number; position: number; title: string; body_md: string; quiz: QuizSettings | null };
export type AdminQuestion = {
	id: number;
	kind: QuestionKind;
	text: string;
	options: { id?: number; text: string; correct: boolean }[];
	explanation: string;
};
export type AdminAssignment = {
	id: number;
	audience: { kind: AudienceKind; value: string | null };
	due_at: string | null;
	people: number;
};
export type AdminCourse = {
	id: number;
	title: string;
	summary: string;
	cover_url: string | null;
	state: 'draft' | 'published';
	lessons: AdminLesson[];
	questions: AdminQuestion[];
	assignments: AdminAssignment[];
};
export type AdminCourseRow = CourseCard & { status_draft: 'draft' | 'published'; questions: number; assignments: number };
