/**
 * The contests API. Until the server's OpenAPI document lists these paths the calls go
 * through the untyped client (the same fetch, CSRF and errors); once `schema.d.ts` has them,
 * call `api.GET('/api/contests', ...)` directly and drop the casts.
 */
import { api, call } from '$lib/api/client';
import type { AdminContest, Contest, DryRun, DryRunBody, Standings } from './types';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const loose = api as any;

export function listContests(when: 'current' | 'past'): Promise<{ items: Contest[] }> {
	return call(loose.GET('/api/contests', { params: { query: { when } } }));
}

export function getContest(id: string): Promise<Contest> {
	return call(loose.GET('/api/contests/{id}', { params: { path: { id } } }));
}

export function getStandings(id: string, offset = 0, limit = 50): Promise<Standings> {
	return call(loose.GET('/api/contests/{id}/standings', { params: { path: { id }, query: { offset, limit } } }));
}

export function adminContests(): Promise<{ items: AdminContest[] }> {
	return call(loose.GET('/api/admin/contests'));
}

export function dryRun(body: DryRunBody): Promise<DryRun> {
	return call(loose.POST('/api/admin/contests/dry-run', { body }));
}
