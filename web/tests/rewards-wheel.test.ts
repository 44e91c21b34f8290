import { describe, expect, it } from 'vitest';
import { landingAngle, nextRotation, segmentAt, slicePath } from '../src/lib/rewards/wheel';

describe('landingAngle', () => {
	for (const count of [1, 2, 3, 6, 7, 12]) {
		for (let index = 0; index < count; index++) {
			it(`lands on segment ${index} of ${count}`, () => {
				for (const turns of [0, 1, 5]) {
					const angle = landingAngle(index, count, turns);
					expect(segmentAt(angle, count)).toBe(index);
					expect(angle).toBeGreaterThanOrEqual(turns * 360);
					expect(angle).toBeLessThan((turns + 1) * 360);
					// The pointer is at the middle of the slice, not on an edge.
					const slice = 360 / count;
					const underPointer = (360 - (angle % 360)) % 360;
					expect(Math.abs(underPointer - (index + 0.5) * slice)).toBeLessThan(1e-9);
				}
			});
		}
	}

	it('refuses an index outside the wheel', () => {
		expect(() => landingAngle(6, 6, 1)).toThrow(RangeError);
		expect(() => landingAngle(-1, 6, 1)).toThrow(RangeError);
		expect(() => landingAngle(0, 0, 1)).toThrow(RangeError);
	});
});

describe('nextRotation', () => {
	it('always turns forward by the whole turns asked, and lands on the segment', () => {
		let rotation = 0;
		for (const index of [3, 3, 0, 5, 1, 2, 4]) {
			const next = nextRotation(rotation, index, 6, 5);
			expect(next).toBeGreaterThanOrEqual(rotation + 5 * 360);
			expect(next).toBeLessThan(rotation + 6 * 360);
			expect(segmentAt(next, 6)).toBe(index);
			rotation = next;
		}
	});
});

describe('slicePath', () => {
	it('draws a closed slice from the centre', () => {
		const path = slicePath(0, 4, 100, 100, 90);
		expect(path.startsWith('M 100 100 L 100.000 10.000 A 90 90 0 0 1 190.000 100.000')).toBe(true);
		expect(path.endsWith('Z')).toBe(true);
	});
});
