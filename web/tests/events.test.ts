import { describe, expect, it, vi } from 'vitest';
import { answerOptimistically, withAnswer } from '../src/lib/events/rsvp';
import { refreshOnReturn } from '../src/lib/events/refresh';
import { instantToZoned, zoneOffset, zonedToInstant } from '../src/lib/events/time';

const event = (my: string | null, going = 0, maybe = 0, declined = 0) => ({ my_answer: my, counts: { going, maybe, declined } });

describe('an RSVP answer', () => {
	it('counts a first answer', () => {
		expect(withAnswer(event(null, 2), 'going')).toEqual(event('going', 3));
	});

	it('moves my count from the old answer to the new one', () => {
		expect(withAnswer(event('going', 3, 1), 'maybe')).toEqual(event('maybe', 2, 2));
	});

	it('changes nothing when the answer is the same, and never counts below zero', () => {
		const same = event('maybe', 0, 1);
		expect(withAnswer(same, 'maybe')).toBe(same);
		expect(withAnswer(event('declined', 0, 0, 0), 'going')).toEqual(event('going', 1, 0, 0));
	});

	it("shows the answer at once, then takes the server's counts", async () => {
		let current = event(null, 4);
		const seen: unknown[] = [];
		const error = await answerOptimistically(
			() => current,
			(v) => {
				current = v;
				seen.push(v);
			},
			'going',
			async () => event('going', 7)
		);
		expect(error).toBeNull();
		expect(seen).toEqual([event('going', 5), event('going', 7)]);
	});

	it('puts back what was there when the server refuses', async () => {
		const before = event('maybe', 1, 2);
		let current = before;
		const refusal = new Error('no');
		const error = await answerOptimistically(
			() => current,
			(v) => (current = v),
			'declined',
			async () => {
				expect(current).toEqual(event('declined', 1, 1, 1));
				throw refusal;
			}
		);
		expect(error).toBe(refusal);
		expect(current).toEqual(before);
	});
});

describe('wall-clock times in the company time zone', () => {
	it('reads a local time in Moscow (UTC+3 all year)', () => {
		expect(zonedToInstant('2026-03-12T10:00', 'Europe/Moscow')?.toISOString()).toBe('2026-03-12T07:00:00.000Z');
		expect(instantToZoned(new Date('2026-03-12T07:00:00Z'), 'Europe/Moscow')).toBe('2026-03-12T10:00');
	});

	it('follows daylight saving time', () => {
		expect(zonedToInstant('2026-01-15T09:30', 'Europe/Berlin')?.toISOString()).toBe('2026-01-15T08:30:00.000Z');
		expect(zonedToInstant('2026-07-15T09:30', 'Europe/Berlin')?.toISOString()).toBe('2026-07-15T07:30:00.000Z');
		expect(zoneOffset(Date.parse('2026-07-15T07:30:00Z'), 'Europe/Berlin')).toBe(2 * 3600 * 1000);
	});

	it('round-trips and refuses what is not a time', () => {
		const at = zonedToInstant('2031-05-20T15:00', 'America/New_York')!;
		expect(instantToZoned(at, 'America/New_York')).toBe('2031-05-20T15:00');
		expect(zonedToInstant('', 'UTC')).toBeNull();
		expect(zonedToInstant('20 May', 'UTC')).toBeNull();
	});
});

describe('refreshing when the reader comes back', () => {
	it('reloads on focus at most once per gap, and stops when asked', () => {
		vi.useFakeTimers();
		const refresh = vi.fn();
		const stop = refreshOnReturn(refresh, 2000);
		window.dispatchEvent(new Event('focus'));
		expect(refresh).not.toHaveBeenCalled(); // just loaded
		vi.advanceTimersByTime(2500);
		window.dispatchEvent(new Event('focus'));
		window.dispatchEvent(new Event('focus'));
		expect(refresh).toHaveBeenCalledTimes(1);
		vi.advanceTimersByTime(2500);
		stop();
		window.dispatchEvent(new Event('focus'));
		expect(refresh).toHaveBeenCalledTimes(1);
		vi.useRealTimers();
	});
});
