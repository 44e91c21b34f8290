/**
 * Half-typed text kept on this device until the server has accepted it: a failed send,
 * a reload or a lost connection never loses it.
 */
const PREFIX = 'plaza:draft:';

export function readDraft(key: string): string {
	try {
		return localStorage.getItem(PREFIX + key) ?? '';
	} catch {
		return '';
	}
}

export function saveDraft(key: string, text: string): void {
	try {
		if (text.trim()) localStorage.setItem(PREFIX + key, text);
		else localStorage.removeItem(PREFIX + key);
	} catch {
		/* storage full or disabled: the text stays in the field */
	}
}

export function clearDraft(key: string): void {
	saveDraft(key, '');
}

/** Forget every draft (signing out on a shared device). */
export function clearAllDrafts(): void {
	try {
		for (const key of Object.keys(localStorage)) if (key.startsWith(PREFIX)) localStorage.removeItem(key);
	} catch {
		/* nothing kept */
	}
}
