import { fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';

const goto = vi.fn(async () => {});
vi.mock('$app/navigation', () => ({ goto: (...args: unknown[]) => goto(...(args as [])) }));

import MessageButton from '../src/lib/chat/MessageButton.svelte';
import { session } from '../src/lib/session.svelte';

function signIn(id: number) {
	session.me = { id, name: 'Elena Employee' } as typeof session.me;
}

function answer(status: number, body: unknown) {
	return vi.spyOn(globalThis, 'fetch').mockResolvedValue(
		new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })
	);
}

afterEach(() => {
	vi.restoreAllMocks();
	goto.mockClear();
});

describe('MessageButton', () => {
	it('opens the direct chat with the person and goes there', async () => {
		signIn(1);
		const fetch = answer(200, { id: 42, kind: 'direct' });
		render(MessageButton, { employeeId: 7, name: 'Marina Director' });
		await fireEvent.click(screen.getByRole('button', { name: 'Message Marina Director' }));
		await vi.waitFor(() => expect(goto).toHaveBeenCalledWith('/chat/42'));
		const request = fetch.mock.calls[0]![0] as Request;
		expect(request.method).toBe('POST');
		expect(new URL(request.url).pathname).toBe('/api/chats/direct');
		expect(await request.json()).toEqual({ employee_id: 7 });
	});

	it('says why when the server refuses', async () => {
		signIn(1);
		answer(422, { error: 'validation_failed', detail: 'That colleague has left the company.' });
		render(MessageButton, { employeeId: 9 });
		await fireEvent.click(screen.getByRole('button', { name: 'Message' }));
		expect(await screen.findByRole('alert')).toHaveTextContent('That colleague has left the company.');
		expect(goto).not.toHaveBeenCalled();
	});

	it('is not shown on one’s own profile', () => {
		signIn(7);
		render(MessageButton, { employeeId: 7 });
		expect(screen.queryByRole('button')).toBeNull();
	});
});
