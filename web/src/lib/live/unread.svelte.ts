/** The unread-notification count shown in the navigation, live. */
import { api } from '$lib/api/client';
import { live } from './socket.svelte';

class Unread {
	count = $state(0);
	#started = false;

	start(): void {
		if (this.#started) return;
		this.#started = true;
		live.on('notification.unread', (payload: { count: number }) => (this.count = payload.count));
		live.onResync(() => void this.refresh());
		void this.refresh();
	}

	async refresh(): Promise<void> {
		try {
			const { data } = await api.GET('/api/notifications', { params: { query: { limit: 1 } } });
			if (data) this.count = data.unread_count;
		} catch {
			/* the banner says when we are offline; the count comes back with the connection */
		}
	}
}

export const unread = new Unread();
