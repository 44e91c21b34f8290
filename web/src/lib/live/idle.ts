/**
 * Presence: "away" after a few idle minutes, "online" again on activity
 * (docs/realtime.md). One message per change of state, never per mouse move.
 */
import { live } from './socket.svelte';

const IDLE_MS = 5 * 60 * 1000;
const EVENTS = ['pointerdown', 'keydown', 'wheel', 'touchstart', 'focus'] as const;

export function trackIdle(): () => void {
	let away = false;
	let timer: ReturnType<typeof setTimeout> | undefined;

	const set = (state: 'online' | 'away') => {
		if ((state === 'away') === away) return;
		away = state === 'away';
		live.emit('presence.set', { state });
	};
	const active = () => {
		set('online');
		clearTimeout(timer);
		timer = setTimeout(() => set('away'), IDLE_MS);
	};
	const visibility = () => (document.hidden ? set('away') : active());

	for (const name of EVENTS) window.addEventListener(name, active, { passive: true });
	document.addEventListener('visibilitychange', visibility);
	active();
	return () => {
		clearTimeout(timer);
		for (const name of EVENTS) window.removeEventListener(name, active);
		document.removeEventListener('visibilitychange', visibility);
	};
}
