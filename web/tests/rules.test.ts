import { afterEach, describe, expect, it, vi } from 'vitest';
import {
	Checker,
	csvReport,
	loadUnsaved,
	nextProblem,
	offsetOf,
	parseTestLine,
	personRows,
	problemRange,
	ruleRows,
	saveUnsaved,
	percentDone,
	rulePoints,
	storeRows,
	type CheckAnswer,
	type DryRun
} from '../src/lib/comms/rules';

afterEach(() => vi.useRealTimers());

function deferred<T>() {
	let resolve!: (value: T) => void;
	const promise = new Promise<T>((r) => (resolve = r));
	return { promise, resolve };
}

describe('Checker', () => {
	it('checks once after typing pauses', async () => {
		vi.useFakeTimers();
		const check = vi.fn(async (text: string): Promise<CheckAnswer> => ({ ok: true, version: text, problems: [] }));
		const deliver = vi.fn();
		const checker = new Checker(check, deliver, undefined, 400);
		checker.schedule('a');
		checker.schedule('ab');
		await vi.advanceTimersByTimeAsync(399);
		expect(check).not.toHaveBeenCalled();
		await vi.advanceTimersByTimeAsync(1);
		expect(check).toHaveBeenCalledTimes(1);
		expect(check).toHaveBeenCalledWith('ab');
		expect(deliver).toHaveBeenCalledWith({ ok: true, version: 'ab', problems: [] }, 'ab');
	});

	it('drops an answer that arrives after a newer text', async () => {
		const first = deferred<CheckAnswer>();
		const second = deferred<CheckAnswer>();
		const answers = [first.promise, second.promise];
		const deliver = vi.fn();
		const checker = new Checker(() => answers.shift()!, deliver, undefined, 0);
		const one = checker.now('old');
		const two = checker.now('new');
		second.resolve({ ok: true, version: 'new', problems: [] });
		await two;
		first.resolve({ ok: false, version: '', problems: [{ line: 1, column: 1, message: 'stale' }] });
		await one;
		expect(deliver).toHaveBeenCalledTimes(1);
		expect(deliver.mock.calls[0]?.[1]).toBe('new');
	});

	it('reports a failure only for the newest text', async () => {
		const failed = vi.fn();
		const checker = new Checker(() => Promise.reject(new Error('down')), vi.fn(), failed, 0);
		await checker.now('x');
		expect(failed).toHaveBeenCalledTimes(1);
		const pending = checker.now('y');
		checker.stop();
		await pending;
		expect(failed).toHaveBeenCalledTimes(1);
	});
});

describe('positions', () => {
	const text = 'version: 1\nrules:\n  - id: x\n';
	it('turns 1-based line and column into an offset, clamped', () => {
		expect(offsetOf(text, 1, 1)).toBe(0);
		expect(offsetOf(text, 3, 5)).toBe(text.indexOf('id: x'));
		expect(offsetOf(text, 99, 1)).toBe(text.length);
		expect(offsetOf(text, 2, 99)).toBe(text.indexOf('\n  -'));
	});
	it('marks the word a problem starts at', () => {
		const range = problemRange(text, { line: 3, column: 9, message: '' });
		expect(text.slice(range.from, range.to)).toBe('x');
		const key = problemRange(text, { line: 2, column: 1, message: '' });
		expect(text.slice(key.from, key.to)).toBe('rules');
	});
	it('finds the next problem after the cursor, wrapping round', () => {
		const problems = [
			{ line: 2, column: 1, message: '' },
			{ line: 5, column: 3, message: '' }
		];
		expect(nextProblem(problems, 1, 1)).toBe(0);
		expect(nextProblem(problems, 2, 1)).toBe(1);
		expect(nextProblem(problems, 9, 1)).toBe(0);
		expect(nextProblem([], 1, 1)).toBe(-1);
	});
});

describe('reports', () => {
	it('reads the lines of a test case', () => {
		expect(parseTestLine('FAIL u1 points: expected 30, got 40')).toEqual({ passed: false, user: 'u1', key: 'points', expected: '30', actual: '40' });
		expect(parseTestLine("ok u2 badges: expected ['a'], got ['a']")).toMatchObject({ passed: true, key: 'badges' });
		expect(parseTestLine('something else')).toEqual({ raw: 'something else' });
	});

	const report: DryRun = {
		since: '2026-11-06T00:00:00+00:00',
		until: '2026-12-06T00:00:00+00:00',
		events: 10,
		draft_version: 'd',
		published_version: 'p',
		rules: { comment: { published: 5, draft: 5 }, quality_post: { published: 1, draft: 4 } },
		points: { published: 20, draft: 50 },
		spins: { published: 0, draft: 1 },
		rule_points: { comment: { published: 10, draft: 10 }, quality_post: { published: 10, draft: 40 }, login: { published: 0, draft: 0 } },
		stores: [
			{ store: 'C1', people: 2, points: { published: 10, draft: 42 }, spins: { published: 0, draft: 1 } },
			{ store: '', people: 1, points: { published: 5, draft: 0 }, spins: { published: 0, draft: 0 } }
		],
		prize_cost: { wheel_version: 'w', per_spin: 32.5, published: 0, draft: 32.5 },
		movers: [
			{ user: '7', points: { published: 10, draft: 12 }, spins: { published: 0, draft: 0 } },
			{ user: '3', points: { published: 0, draft: 30 }, spins: { published: 0, draft: 1 } },
			{ user: '4', points: { published: 5, draft: 0 }, spins: { published: 0, draft: 0 } }
		]
	};

	it('orders rules and people by the size of their change', () => {
		expect(ruleRows(report).map((r) => [r.rule, r.change])).toEqual([
			['quality_post', 3],
			['comment', 0]
		]);
		expect(personRows(report).map((p) => [p.user, p.change])).toEqual([
			['3', 30],
			['4', -5],
			['7', 2]
		]);
	});

	it('shows the stores the server summed, with their change', () => {
		expect(storeRows(report).map((s) => [s.store, s.people, s.change])).toEqual([
			['C1', 2, 32],
			['', 1, -5]
		]);
	});

	it('charts the rules that give points, the most first', () => {
		expect(rulePoints(report)).toEqual([
			{ rule: 'quality_post', published: 10, draft: 40 },
			{ rule: 'comment', published: 10, draft: 10 }
		]);
	});

	it('turns progress into a percentage, none while events are read', () => {
		expect(percentDone(0, 0)).toBeNull();
		expect(percentDone(1, 3)).toBe(33);
		expect(percentDone(5, 4)).toBe(100);
	});

	it('writes a CSV that spreadsheets read as text and numbers', () => {
		const csv = csvReport([{ title: 'Rules', rows: [['Rule', 'Change'], ['a, b', -3], ['=cmd()', 1], ['say "hi"', 0]] }]);
		expect(csv).toBe('Rules\r\nRule,Change\r\n"a, b",-3\r\n\'=cmd(),1\r\n"say ""hi""",0\r\n');
	});
});

describe('unsaved text', () => {
	it('is kept and forgotten', () => {
		saveUnsaved({ base: 'v1', text: 'version: 1\n' });
		expect(loadUnsaved()).toEqual({ base: 'v1', text: 'version: 1\n' });
		saveUnsaved(null);
		expect(loadUnsaved()).toBeNull();
	});
	it('ignores what it did not write', () => {
		localStorage.setItem('plaza.rules.unsaved', '{not json');
		expect(loadUnsaved()).toBeNull();
		localStorage.setItem('plaza.rules.unsaved', '{"text": 3}');
		expect(loadUnsaved()).toBeNull();
	});
});
