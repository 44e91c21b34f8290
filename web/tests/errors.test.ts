import { describe, expect, it } from 'vitest';
import { ApiError, errorFromResponse } from '../src/lib/api/errors';

const fallback = (status: number) => `fallback ${status}`;

describe("the API client's error mapping", () => {
	it("keeps the server's code, sentence and fields", async () => {
		const body = { error: 'validation_failed', detail: 'Поле body пустое', fields: [{ field: 'body', reason: 'empty' }] };
		const error = await errorFromResponse(new Response(JSON.stringify(body), { status: 422 }), fallback);
		expect(error).toBeInstanceOf(ApiError);
		expect(error.status).toBe(422);
		expect(error.code).toBe('validation_failed');
		expect(error.detail).toBe('Поле body пустое');
		expect(error.fields).toEqual([{ field: 'body', reason: 'empty' }]);
		expect(error.transient).toBe(false);
	});

	it('turns a 503 with Retry-After into a transient error', async () => {
		const response = new Response(JSON.stringify({ error: 'unavailable', detail: 'busy' }), {
			status: 503,
			headers: { 'retry-after': '2' }
		});
		const error = await errorFromResponse(response, fallback);
		expect(error.transient).toBe(true);
		expect(error.retryAfter).toBe(2);
	});

	it("uses the app's own sentence when a proxy answers with HTML", async () => {
		const error = await errorFromResponse(new Response('<html>Bad gateway</html>', { status: 502 }), fallback);
		expect(error.code).toBe('unavailable');
		expect(error.detail).toBe('fallback 502');
		expect(error.transient).toBe(true);
		const notFound = await errorFromResponse(new Response('', { status: 404 }), fallback);
		expect(notFound.notFound).toBe(true);
	});
});
