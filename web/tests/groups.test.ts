import { describe, expect, it } from 'vitest';
import {
	applyJoin,
	applyLeave,
	canInvite,
	canRead,
	groupAction,
	setFollowing,
	setSubscribed,
	type Blog,
	type Channel,
	type Group
} from '../src/lib/groups/groups';

function group(over: Partial<Group> = {}): Group {
	return { id: 1, name: 'Runners', description: '', visibility: 'public', member_count: 3, my_state: null, i_moderate: false, ...over };
}

const refuse = async () => {
	throw new Error('refused');
};
const accept = async () => ({ ok: true });

describe('what a group offers me', () => {
	it('is join for a public group, a request for a private one, accept for an invitation', () => {
		expect(groupAction(group())).toBe('join');
		expect(groupAction(group({ visibility: 'private' }))).toBe('request');
		expect(groupAction(group({ visibility: 'private', my_state: 'requested' }))).toBe('pending');
		expect(groupAction(group({ visibility: 'secret', my_state: 'invited' }))).toBe('accept');
		expect(groupAction(group({ my_state: 'member' }))).toBe('member');
	});

	it('lets me read a public group or one I am in, never a private one from outside', () => {
		expect(canRead(group())).toBe(true);
		expect(canRead(group({ visibility: 'private' }))).toBe(false);
		expect(canRead(group({ visibility: 'private', my_state: 'requested' }))).toBe(false);
		expect(canRead(group({ visibility: 'secret', my_state: 'invited' }))).toBe(false);
		expect(canRead(group({ visibility: 'private', my_state: 'member' }))).toBe(true);
	});

	it('lets members invite to a public group and only moderators to a private one', () => {
		expect(canInvite(group())).toBe(false);
		expect(canInvite(group({ my_state: 'member' }))).toBe(true);
		expect(canInvite(group({ visibility: 'private', my_state: 'member' }))).toBe(false);
		expect(canInvite(group({ visibility: 'private', my_state: 'member', i_moderate: true }))).toBe(true);
	});

	it('counts me in when I become a member, and out when I leave', () => {
		const g = group();
		applyJoin(g, 'member');
		expect([g.my_state, g.member_count]).toEqual(['member', 4]);
		applyJoin(g, 'member');
		expect(g.member_count).toBe(4);
		applyLeave(g);
		expect([g.my_state, g.member_count]).toEqual([null, 3]);
		const p = group({ visibility: 'private' });
		applyJoin(p, 'requested');
		expect([p.my_state, p.member_count]).toEqual(['requested', 3]);
		applyLeave(p);
		expect([p.my_state, p.member_count]).toEqual([null, 3]);
	});
});

describe('subscribing to a channel', () => {
	const channel = (over: Partial<Channel> = {}): Channel => ({ id: 7, name: 'Sport', description: '', mandatory: false, subscribed: false, ...over });

	it('changes at once and stays when the server agrees', async () => {
		const c = channel();
		const sent: [number, boolean][] = [];
		const pending = setSubscribed(c, true, async (id, on) => sent.push([id, on]));
		expect(c.subscribed).toBe(true);
		expect(await pending).toBeNull();
		expect(c.subscribed).toBe(true);
		expect(sent).toEqual([[7, true]]);
	});

	it('goes back and returns the error when the server refuses', async () => {
		const c = channel({ subscribed: true });
		const error = await setSubscribed(c, false, refuse);
		expect(error).toBeInstanceOf(Error);
		expect(c.subscribed).toBe(true);
	});

	it('never leaves a mandatory channel', async () => {
		const c = channel({ mandatory: true, subscribed: true });
		let asked = false;
		expect(await setSubscribed(c, false, async () => (asked = true))).toBeNull();
		expect([c.subscribed, asked]).toEqual([true, false]);
	});
});

describe('following a blog', () => {
	const blog = (over: Partial<Blog> = {}): Blog => ({
		author: { id: 5, name: 'Olga', position: 'Director', avatar_url: null },
		followers: 2,
		following: false,
		...over
	});

	it('counts me at once', async () => {
		const b = blog();
		expect(await setFollowing(b, true, accept)).toBeNull();
		expect([b.following, b.followers]).toEqual([true, 3]);
		expect(await setFollowing(b, false, accept)).toBeNull();
		expect([b.following, b.followers]).toEqual([false, 2]);
	});

	it('puts the count back when the server refuses', async () => {
		const b = blog();
		expect(await setFollowing(b, true, refuse)).toBeInstanceOf(Error);
		expect([b.following, b.followers]).toEqual([false, 2]);
	});
});
