import { describe, expect, it } from 'vitest';
import { fileName, isAnonymised } from '../src/lib/privacy/download';

describe('personal data downloads', () => {
	it('takes the file name from Content-Disposition, never a path', () => {
		expect(fileName('attachment; filename="plaza-data-12-20261206.zip"', 'x.zip')).toBe('plaza-data-12-20261206.zip');
		expect(fileName("attachment; filename*=UTF-8''my%20data.zip", 'x.zip')).toBe('my data.zip');
		expect(fileName('attachment; filename="../../etc/passwd"', 'x.zip')).toBe('passwd');
		expect(fileName(null, 'fallback.zip')).toBe('fallback.zip');
		expect(fileName('attachment', 'fallback.zip')).toBe('fallback.zip');
	});

	it('tells an anonymised profile by its reserved address', () => {
		expect(isAnonymised('former-12@anonymised.invalid')).toBe(true);
		expect(isAnonymised('FORMER-12@Anonymised.Invalid')).toBe(true);
		expect(isAnonymised('ann@plaza.example.com')).toBe(false);
		expect(isAnonymised('anonymised.invalid@example.com')).toBe(false);
	});
});
