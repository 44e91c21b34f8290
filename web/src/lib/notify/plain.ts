/** Markdown to plain words: mentions and links keep their text, emphasis goes. */
export function plain(text: string): string {
	return text
		.replace(/@?\[([^\]]+)\]\([^)]*\)/g, '$1')
		.replace(/\*\*|__|~~|`|(^|\s)[*_](?=\S)|(?<=\S)[*_](?=\s|$|[.,!?])/g, '$1')
		.replace(/^[#>\-\s]+/, '')
		.trim();
}
