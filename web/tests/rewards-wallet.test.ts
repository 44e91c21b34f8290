import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const handlers = new Map<string, (payload: unknown) => void>();
const resyncs = new Set<() => void>();
const GET = vi.fn();

vi.mock('$lib/api/client', () => ({ api: { GET: (...args: unknown[]) => GET(...args) } }));
vi.mock('$lib/live/socket.svelte', () => ({
	live: {
		on: (event: string, handler: (payload: unknown) => void) => {
			handlers.set(event, handler);
			return () => handlers.delete(event);
		},
		onResync: (handler: () => void) => {
			resyncs.add(handler);
			return () => resyncs.delete(handler);
		}
	}
}));

const level = { number: 1, name: 'Newcomer', floor: 0, next_at: 100, progress: 0.1 };
const first = { points: 10, spins: 1, held: 0, lifetime_points: 10, level };

describe('wallet store', () => {
	beforeEach(() => {
		vi.useFakeTimers();
		handlers.clear();
		resyncs.clear();
		GET.mockReset();
		GET.mockResolvedValue({ data: first });
	});
	afterEach(() => vi.useRealTimers());

	it('loads, follows wallet.changed at once, then reads the rest again', async () => {
		const { wallet } = await import('../src/lib/rewards/wallet.svelte');
		const stop = wallet.use();
		await vi.runAllTimersAsync();
		expect(wallet.wallet?.points).toBe(10);
		expect(GET).toHaveBeenCalledTimes(1);

		GET.mockResolvedValue({ data: { ...first, points: 25, spins: 0, lifetime_points: 25 } });
		handlers.get('wallet.changed')!({ points: 25, spins: 0, changes: [] });
		expect([wallet.wallet?.points, wallet.wallet?.spins]).toEqual([25, 0]); // before any request
		expect(wallet.changes).toBe(1);
		await vi.runAllTimersAsync();
		expect(GET).toHaveBeenCalledTimes(2);
		expect(wallet.wallet?.lifetime_points).toBe(25);

		// A spin of mine elsewhere: read again. A refused hold rolls back exactly.
		handlers.get('wheel.result')!({});
		await vi.runAllTimersAsync();
		expect(GET).toHaveBeenCalledTimes(3);
		wallet.adjust(-5, 5);
		expect([wallet.wallet?.points, wallet.wallet?.held]).toEqual([20, 5]);
		wallet.adjust(5, -5);
		expect([wallet.wallet?.points, wallet.wallet?.held]).toEqual([25, 0]);

		stop();
		expect(handlers.size).toBe(0);
		expect(resyncs.size).toBe(0);
	});

	it('keeps listening while another page still uses it, and shows a failed load', async () => {
		const { wallet } = await import('../src/lib/rewards/wallet.svelte');
		GET.mockRejectedValue(new Error('down'));
		const a = wallet.use();
		const b = wallet.use();
		await vi.runAllTimersAsync();
		expect(wallet.error).toBeInstanceOf(Error);
		a();
		expect(handlers.has('wallet.changed')).toBe(true);
		b();
		expect(handlers.has('wallet.changed')).toBe(false);
	});
});
