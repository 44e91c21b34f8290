/** An RSVP answer applied at once, and taken back when the server refuses it. */
import type { components } from '$lib/api/client';

export type EventOut = components['schemas']['EventOut'];
export type Answer = 'going' | 'maybe' | 'declined';
export const ANSWERS: Answer[] = ['going', 'maybe', 'declined'];

type Answerable = Pick<EventOut, 'my_answer' | 'counts'>;

/** The counts and my answer after I choose `answer` (my previous answer leaves its count). */
export function withAnswer<T extends Answerable>(event: T, answer: Answer): T {
	const counts = { ...event.counts };
	const before = event.my_answer as Answer | null;
	if (before === answer) return event;
	if (before && before in counts) counts[before] = Math.max(0, counts[before] - 1);
	counts[answer] += 1;
	return { ...event, counts, my_answer: answer };
}

/**
 * Show the answer at once, then save it. The server's answer replaces ours (fresh counts);
 * a refusal puts back what was there and returns the error for the page to show.
 */
export async function answerOptimistically<T extends Answerable>(
	get: () => T,
	set: (value: T) => void,
	answer: Answer,
	save: (answer: Answer) => Promise<T>
): Promise<unknown> {
	const before = get();
	set(withAnswer(before, answer));
	try {
		set(await save(answer));
		return null;
	} catch (error) {
		set(before);
		return error;
	}
}
