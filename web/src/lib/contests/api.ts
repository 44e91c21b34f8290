/** The contests API, typed from the generated schema. */
import { api, call } from '$lib/api/client';
import type { AdminContest, Contest, DryRun, DryRunBody, Standings } from './types';

export function listContests(when: 'current' | 'past'): Promise<{ items: Contest[] }> {
	return call(api.GET('/api/contests', { params: { query: { when } } }));
}

export function getContest(id: string): Promise<Contest> {
	return call(api.GET('/api/contests/{id}', { params: { path: { id } } }));
}

export function getStandings(id: string, offset = 0, limit = 50): Promise<Standings> {
	return call(api.GET('/api/contests/{id}/standings', { params: { path: { id }, query: { offset, limit } } }));
}

export function adminContests(): Promise<{ items: AdminContest[] }> {
	return call(api.GET('/api/admin/contests'));
}

export function dryRun(body: DryRunBody): Promise<DryRun> {
	return call(api.POST('/api/admin/contests/dry-run', { body }));
}
