/** The courses API's shapes, named for the screens: aliases of the generated schema. */
import type { components } from '$lib/api/client';

type S = components['schemas'];

export type CourseStatus = S['CourseCard']['status'];
export type CourseCard = S['CourseCard'];
export type QuizCard = S['QuizCard'];
export type LessonCard = S['LessonCard'];
export type Course = S['CourseDetail'];
export type Lesson = S['LessonOut'];
export type QuestionKind = S['QuizQuestionOut']['kind'];
export type AttemptQuestion = S['QuizQuestionOut'];
export type Attempt = S['AttemptOut'];
export type Result = S['ResultOut'];
export type ResultQuestion = S['QuestionResult'];
export type ProgressItem = S['CourseProgressRow'];
export type Progress = S['CourseProgressOut'];
export type AudienceKind = S['CourseAudience']['kind'];
export type QuizSettings = S['QuizIn'];
export type AdminLesson = S['AdminLesson'];
export type AdminQuestion = S['AdminQuestion'];
export type AdminAssignment = S['AdminAssignment'];
export type AdminCourse = S['AdminCourse'];
export type AdminCourseRow = S['AdminCourseCard'];
export type LessonIn = S['LessonIn'];
export type LessonPatch = S['LessonPatch'];
export type QuestionIn = S['QuestionIn'];
export type AssignmentIn = S['AssignmentIn'];
