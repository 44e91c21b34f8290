/**
 * The contests API's shapes, copied from the contract (`contests-api.md`) until the server's
 * OpenAPI document has them: DELETE this file once `schema.d.ts` does, and take the types
 * from `components['schemas']` instead.
 */
export type ParticipantKind = 'person' | 'store' | 'city' | 'region' | 'department';
export type Participants = 'people' | 'store' | 'city' | 'region' | 'department';
export type ContestStatus = 'upcoming' | 'running' | 'grace' | 'final';

export type Participant = { kind: ParticipantKind; id: string; name: string; avatar_url: string | null };

export type StandingRow = {
	place: number;
	participant: Participant;
	score: number;
	raw_score: number;
	heads: number | null;
	reached_at: string | null;
	tie: boolean;
	winner: boolean;
	is_me: boolean;
};

export type Award = {
	points: number;
	spins: number;
	badge: { id: string; title: string } | null;
	item: { id: number; title: string } | null;
};

export type Prize = { for: 'place' | 'over' | 'first'; place: number | null; over: number | null; award: Award; text: string };

export type Contest = {
	id: string;
	title: string;
	description: string | null;
	status: ContestStatus;
	starts_at: string;
	ends_at: string;
	final_at: string;
	timezone: string;
	participants: Participants;
	per_head: boolean;
	rules_in_words: string[];
	prizes: Prize[];
	participant_count: number;
	mine: StandingRow | null;
	winners: StandingRow[] | null;
};

export type Standings = { items: StandingRow[]; total: number; mine: StandingRow | null; as_of: string };

export type Settlement = {
	state: 'open' | 'settling' | 'settled';
	prizes: number;
	settled: number;
	announcement_post_id: number | null;
};

export type AdminContest = Contest & { source: 'live' | 'draft'; version: number | null; settlement: Settlement };

export type DryRunBody = { contest_id: string; since: string | null; until: string | null; text: string | null };

export type DryRun = {
	contest: Contest;
	standings: StandingRow[];
	total: number;
	winners: StandingRow[];
	prizes: { participant: Participant; award: Award; text: string }[];
	events_read: number;
};

/** `contest.standings` over the socket: the first ten (is_me is always false there). */
export type StandingsEvent = { contest_id: string; top: StandingRow[]; total: number; as_of: string };
export type ClosedEvent = { contest_id: string; winners: StandingRow[] };
