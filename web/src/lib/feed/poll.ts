import type { components } from '$lib/api/client';

type Poll = components['schemas']['PollOut'];
type Results = { poll_id: number; total: number; options: { option_id: number; votes: number }[] };

/** A `poll.results` event applied to a poll: counts only (voters stay as they were). */
export function applyPollResults(poll: Poll, results: Results): Poll {
	if (results.poll_id !== poll.id) return poll;
	const votes = new Map(results.options.map((o) => [o.option_id, o.votes]));
	return {
		...poll,
		total: results.total,
		options: poll.options.map((o) => ({ ...o, votes: votes.get(o.id) ?? o.votes }))
	};
}

/** A whole percentage of `total`; 0 when nobody voted. */
export function percentOf(votes: number, total: number): number {
	return total > 0 ? Math.round((votes / total) * 100) : 0;
}
