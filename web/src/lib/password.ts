/** The password rules the server enforces, checked as the person types (the server checks
 * them again, and also refuses the most common passwords). Mirrors
 * server/auth/passwords.py:PasswordPolicy. */

export type Policy = { password_min_length: number; password_min_classes: number; password_max_length: number };
export type RuleState = { key: 'length' | 'classes' | 'not_email'; met: boolean };

export function characterClasses(password: string): number {
	return [/\p{Ll}/u, /\p{Lu}/u, /\p{Nd}/u, /[^\p{L}\p{N}]/u].filter((re) => re.test(password)).length;
}

export function passwordRules(policy: Policy, password: string, email: string): RuleState[] {
	const local = (email.split('@')[0] ?? '').toLowerCase();
	const length = [...password].length;
	return [
		{ key: 'length', met: length >= policy.password_min_length && length <= policy.password_max_length },
		{ key: 'classes', met: characterClasses(password) >= policy.password_min_classes },
		{ key: 'not_email', met: !(local.length >= 4 && password.toLowerCase().includes(local)) }
	];
}

/** The domain of an address when it is not one of the company's (null when it is, or unknown). */
export function foreignDomain(email: string, domains: readonly string[]): string | null {
	const at = email.lastIndexOf('@');
	if (at < 0 || domains.length === 0) return null;
	const domain = email.slice(at + 1).trim().toLowerCase();
	if (!domain.includes('.')) return null;
	return domains.includes(domain) ? null : domain;
}
