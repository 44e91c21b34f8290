/** The contests API's types: names for the generated schema's (never written by hand). */
import type { components } from '$lib/api/client';

type S = components['schemas'];
export type Participant = S['ContestParticipant'];
export type ContestStatus = S['ContestOut']['status'];
export type Participants = S['ContestOut']['participants'];
export type StandingRow = S['ContestStandingRow'];
export type Contest = S['ContestOut'];
export type Standings = S['ContestStandingsOut'];
export type Settlement = S['ContestSettlement'];
export type AdminContest = S['ContestAdminItem'];
export type DryRunBody = S['ContestDryRunBody'];
export type DryRun = S['ContestDryRunOut'];

/** Socket.IO events (not in the OpenAPI document; the contract's shapes).
 * `contest.standings`: the first ten (is_me is always false there). */
export type StandingsEvent = { contest_id: string; top: StandingRow[]; total: number; as_of: string };
export type ClosedEvent = { contest_id: string; winners: StandingRow[] };
