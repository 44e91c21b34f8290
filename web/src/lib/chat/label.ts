/** How a chat and its last message are named in the list (pure, for the list and tests). */
import type { Chat, Message } from '$lib/live/chat.svelte';

/** The other person of a direct chat (null for a group chat, or a chat with oneself). */
export function otherMember(chat: Pick<Chat, 'kind' | 'member_ids'>, me: number | null): number | null {
	if (chat.kind !== 'direct') return null;
	return chat.member_ids.find((id) => id !== me) ?? null;
}

export type PreviewWords = { sticker: string; file: string; deleted: string };

/** One line for a message: its text, a sticker's emoji, a file's name, or "deleted". */
export function previewText(message: Message, words: PreviewWords, emojiOf: (id: string) => string): string {
	if (message.deleted) return words.deleted;
	if (message.body) return message.body.replace(/\s+/g, ' ').trim();
	if (message.sticker) return `${emojiOf(message.sticker)} ${words.sticker}`.trim();
	if (message.attachment) return `${words.file}: ${message.attachment.name}`;
	return '';
}
