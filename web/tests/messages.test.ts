import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unread_notifications } from '../src/lib/paraglide/messages.js';

const root = join(__dirname, '..', 'messages');
const folders = ['', ...readdirSync(root).filter((f) => statSync(join(root, f)).isDirectory())];

function keys(folder: string, locale: string): string[] {
	const data = JSON.parse(readFileSync(join(root, folder, `${locale}.json`), 'utf8'));
	return Object.keys(data).filter((k) => k !== '$schema').sort();
}

describe('messages', () => {
	it.each(folders)('%s: English and Russian have the same keys', (folder) => {
		expect(keys(folder, 'ru')).toEqual(keys(folder, 'en'));
	});

	it('every Russian plural has one, few and many forms', () => {
		for (const folder of folders) {
			const data = JSON.parse(readFileSync(join(root, folder, 'ru.json'), 'utf8'));
			for (const [key, value] of Object.entries(data)) {
				if (!Array.isArray(value)) continue;
				const forms = Object.keys((value[0] as { match: object }).match).join(' ');
				if (forms.includes('Plural=')) {
					for (const form of ['one', 'few', 'many']) expect(forms, key).toContain(`=${form}`);
				}
			}
		}
	});

	it('Russian plurals are right for 1, 2, 5, 11 and 21', () => {
		const ru = (count: number) => unread_notifications({ count }, { locale: 'ru' });
		expect(ru(1)).toBe('1 непрочитанное уведомление');
		expect(ru(2)).toBe('2 непрочитанных уведомления');
		expect(ru(5)).toBe('5 непрочитанных уведомлений');
		expect(ru(11)).toBe('11 непрочитанных уведомлений');
		expect(ru(21)).toBe('21 непрочитанное уведомление');
		expect(unread_notifications({ count: 1 }, { locale: 'en' })).toBe('1 unread notification');
		expect(unread_notifications({ count: 21 }, { locale: 'en' })).toBe('21 unread notifications');
	});
});
