/** Who is signed in. The server decides what they may do; the app only hides what a role
 * cannot use. */
import { goto } from '$app/navigation';
import { api, ApiError, type components } from '$lib/api/client';
import { clearFeeds } from '$lib/live/feed.svelte';
import { live } from '$lib/live/socket.svelte';
import { getLocale, isLocale, setLocale } from '$lib/paraglide/runtime.js';

export type Me = components['schemas']['EmployeeOut'];

const STAFF = new Set(['comms', 'moderator', 'admin']);

class Session {
	me = $state<Me | null>(null);
	/** Set when the server ended the session under an open page. */
	ended = $state(false);
	#loading: Promise<Me | null> | null = null;

	get isStaff(): boolean {
		return this.me !== null && STAFF.has(this.me.role);
	}

	/** Loads /api/me once per page load; null when signed out. */
	load(): Promise<Me | null> {
		this.#loading ??= (async () => {
			try {
				const { data } = await api.GET('/api/me');
				this.#apply(data ?? null);
			} catch (error) {
				if (error instanceof ApiError && error.status === 401) this.me = null;
				else throw error;
			}
			return this.me;
		})();
		this.#loading.catch(() => (this.#loading = null));
		return this.#loading;
	}

	/** After sign-in, registration or a profile edit: the language follows the profile. */
	signedIn(me: Me | null): void {
		this.me = me;
		this.ended = false;
		this.#loading = Promise.resolve(me);
		this.#apply(me);
	}

	#apply(me: Me | null): void {
		this.me = me;
		if (me && isLocale(me.locale) && me.locale !== getLocale()) setLocale(me.locale);
	}

	async signOut(): Promise<void> {
		try {
			await api.POST('/api/auth/logout');
		} finally {
			this.#forget();
			await goto('/signin', { replaceState: true });
		}
	}

	/** The server ended the session (signed out elsewhere, dismissed, expired). */
	expired(): void {
		if (!this.me) return;
		this.#forget();
		this.ended = true;
		void goto('/signin', { replaceState: true });
	}

	#forget(): void {
		live.disconnect();
		// Kept lists belong to the person who read them: the next one to sign in in this tab
		// must not see them on Back.
		clearFeeds();
		this.me = null;
		this.#loading = null;
	}
}

export const session = new Session();

/** Switch the language and save it on the profile (the page reloads in that language). */
export async function chooseLanguage(locale: 'en' | 'ru'): Promise<void> {
	if (session.me) await api.PATCH('/api/me', { body: { locale } });
	setLocale(locale);
}
