import { m } from '$lib/paraglide/messages.js';
import { EMOJIS, EMOJI_CHAR, type Emoji } from '$lib/live/feed.svelte';

export { EMOJIS, EMOJI_CHAR };

/** The name a screen reader says for a reaction, in the reader's language. */
export function emojiLabel(emoji: string): string {
	const names: Record<Emoji, () => string> = {
		like: m.feed_emoji_like,
		heart: m.feed_emoji_heart,
		laugh: m.feed_emoji_laugh,
		wow: m.feed_emoji_wow,
		sad: m.feed_emoji_sad,
		party: m.feed_emoji_party,
		clap: m.feed_emoji_clap,
		fire: m.feed_emoji_fire
	};
	return (names as Record<string, () => string>)[emoji]?.() ?? emoji;
}

export function emojiChar(emoji: string): string {
	return (EMOJI_CHAR as Record<string, string>)[emoji] ?? emoji;
}
