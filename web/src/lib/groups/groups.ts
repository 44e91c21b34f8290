/**
 * What the groups, channels and blogs screens decide on their own: which button a group
 * shows for my state, who may read or invite, and the optimistic changes (subscribe to a
 * channel, follow a blog, join a group) that go back to what they were when the server
 * refuses. The server stays the guard; this only mirrors its rules to hide what cannot work.
 */
import type { components } from '$lib/api/client';

export type Group = components['schemas']['GroupOut'];
export type Channel = components['schemas']['ChannelOut'];
export type Blog = components['schemas']['BlogOut'];
export type Member = components['schemas']['MemberOut'];
export type Visibility = 'public' | 'private' | 'secret';
export type MyState = 'member' | 'requested' | 'invited' | null;

/** The one main action a group offers me. */
export type GroupAction = 'join' | 'request' | 'pending' | 'accept' | 'member';

export function myState(group: Pick<Group, 'my_state'>): MyState {
	const s = group.my_state;
	return s === 'member' || s === 'requested' || s === 'invited' ? s : null;
}

export function groupAction(group: Pick<Group, 'my_state' | 'visibility'>): GroupAction {
	switch (myState(group)) {
		case 'member':
			return 'member';
		case 'requested':
			return 'pending';
		case 'invited':
			return 'accept';
		default:
			return group.visibility === 'public' ? 'join' : 'request';
	}
}

/** Its posts and members are for me: a public group, or one I belong to. */
export function canRead(group: Pick<Group, 'my_state' | 'visibility'>): boolean {
	return group.visibility === 'public' || myState(group) === 'member';
}

/** Members invite to a public group; moderators to a private or secret one. */
export function canInvite(group: Pick<Group, 'my_state' | 'visibility' | 'i_moderate'>): boolean {
	if (myState(group) !== 'member') return false;
	return group.visibility === 'public' || group.i_moderate;
}

/** The server answered a join with my new state: the group follows. */
export function applyJoin(group: Group, state: string): void {
	const wasMember = myState(group) === 'member';
	group.my_state = state;
	if (state === 'member' && !wasMember) group.member_count += 1;
}

/** I left (or dropped my request or invitation). */
export function applyLeave(group: Group): void {
	if (myState(group) === 'member') group.member_count = Math.max(0, group.member_count - 1);
	group.my_state = null;
	group.i_moderate = false;
}

/**
 * Subscribe to or leave an optional channel at once, then ask the server; on refusal the
 * channel goes back and the error is returned (the caller shows its message). A mandatory
 * channel is never changed here: it cannot be left.
 */
export async function setSubscribed(
	channel: Channel,
	on: boolean,
	send: (id: number, on: boolean) => Promise<unknown>
): Promise<unknown> {
	if (channel.mandatory || channel.subscribed === on) return null;
	channel.subscribed = on;
	try {
		await send(channel.id, on);
		return null;
	} catch (error) {
		channel.subscribed = !on;
		return error;
	}
}

/** Follow or stop following a blog at once (the follower count too); rolled back on refusal. */
export async function setFollowing(
	blog: Blog,
	on: boolean,
	send: (id: number, on: boolean) => Promise<unknown>
): Promise<unknown> {
	if (blog.following === on) return null;
	blog.following = on;
	blog.followers = Math.max(0, blog.followers + (on ? 1 : -1));
	try {
		await send(blog.author.id, on);
		return null;
	} catch (error) {
		blog.following = !on;
		blog.followers = Math.max(0, blog.followers + (on ? -1 : 1));
		return error;
	}
}
