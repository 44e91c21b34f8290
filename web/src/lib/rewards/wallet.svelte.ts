/**
 * My wallet (points, spins, held points, level), kept live by `wallet.changed`. Shared by
 * the wallet, the wheel and the shop pages; started by them, not by the shell.
 */
import { api, type components } from '$lib/api/client';
import { live } from '$lib/live/socket.svelte';
import { untrack } from 'svelte';

export type Wallet = components['schemas']['Wallet'];

type WalletChanged = {
	points: number;
	spins: number;
	changes: { transfer_id: string; kind: string; currency: string; amount: number }[];
};

class WalletStore {
	wallet = $state<Wallet | null>(null);
	error = $state<unknown>(null);
	loading = $state(false);
	/** Bumped on every live change: pages that list transfers reload their first page. */
	changes = $state(0);
	#users = 0;
	#stop: (() => void)[] = [];
	#refresh: ReturnType<typeof setTimeout> | undefined;

	async load(): Promise<void> {
		this.loading = this.wallet === null;
		this.error = null;
		try {
			const { data } = await api.GET('/api/me/wallet');
			this.wallet = data!;
		} catch (error) {
			this.error = error;
		} finally {
			this.loading = false;
		}
	}

	/** A page that shows the wallet: returns the function to call when it goes. Called from
	 * an effect, so nothing it reads becomes that effect's dependency. */
	use(): () => void {
		return untrack(() => this.#use());
	}

	#use(): () => void {
		if (this.#users++ === 0) {
			this.#stop = [
				live.on('wallet.changed', (payload: WalletChanged) => this.#changed(payload)),
				// A spin of mine, in any tab: its wallet.changed follows; reading again as well
				// costs one request and keeps the level and held points exact.
				live.on('wheel.result', () => this.#later()),
				live.onResync(() => void this.load())
			];
		}
		void this.load();
		return () => {
			if (--this.#users === 0) {
				for (const stop of this.#stop) stop();
				this.#stop = [];
				clearTimeout(this.#refresh);
			}
		};
	}

	/** A change this page made and the server accepted (a hold for the shop). */
	adjust(points: number, held: number): void {
		if (!this.wallet) return;
		this.wallet = { ...this.wallet, points: this.wallet.points + points, held: this.wallet.held + held };
	}

	#changed(payload: WalletChanged): void {
		if (this.wallet) this.wallet = { ...this.wallet, points: payload.points, spins: payload.spins };
		this.changes++;
		// Held points, lifetime points and the level are not in the event: read them again.
		this.#later();
	}

	#later(): void {
		clearTimeout(this.#refresh);
		this.#refresh = setTimeout(() => void this.load(), 300);
	}
}

export const wallet = new WalletStore();
