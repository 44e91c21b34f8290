import { describe, expect, it } from 'vitest';
import { characterClasses, foreignDomain, passwordRules } from '../src/lib/password';

const policy = { password_min_length: 10, password_min_classes: 2, password_max_length: 256 };

describe('password rules as you type', () => {
	it('counts character classes, Cyrillic included', () => {
		expect(characterClasses('abc')).toBe(1);
		expect(characterClasses('abcD1!')).toBe(4);
		expect(characterClasses('пароль')).toBe(1);
		expect(characterClasses('Пароль2')).toBe(3);
	});

	it('marks each rule met or not', () => {
		const rules = (pw: string, email = 'ann.lee@plaza.example.com') =>
			Object.fromEntries(passwordRules(policy, pw, email).map((r) => [r.key, r.met]));
		expect(rules('short')).toEqual({ length: false, classes: false, not_email: true });
		expect(rules('longenoughbutlower')).toEqual({ length: true, classes: false, not_email: true });
		expect(rules('Long-enough-9')).toEqual({ length: true, classes: true, not_email: true });
		expect(rules('my-ann.lee-Pass')).toMatchObject({ not_email: false });
	});

	it('names a foreign domain, never a company one', () => {
		expect(foreignDomain('a@gmail.com', ['plaza.example.com'])).toBe('gmail.com');
		expect(foreignDomain('a@Plaza.Example.com', ['plaza.example.com'])).toBeNull();
		expect(foreignDomain('a@gmail', ['plaza.example.com'])).toBeNull();
		expect(foreignDomain('a@gmail.com', [])).toBeNull();
	});
});
