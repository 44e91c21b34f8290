/**
 * The wheel's geometry. Segments are equal slices laid clockwise from 12 o'clock, segment 0
 * first; the pointer is fixed at 12 o'clock and the wheel turns clockwise. Turning the
 * wheel by `r` degrees puts the wheel's angle `a` under screen angle `a + r`.
 */

/** Degrees of one slice. */
export function sliceAngle(count: number): number {
	return 360 / count;
}

/**
 * The clockwise rotation (degrees, >= 0) that stops the wheel with the middle of segment
 * `index` under the pointer, after `turns` whole turns.
 */
export function landingAngle(index: number, count: number, turns: number): number {
	if (!Number.isInteger(count) || count < 1) throw new RangeError('count must be a positive integer');
	if (!Number.isInteger(index) || index < 0 || index >= count) throw new RangeError('index out of range');
	const middle = (index + 0.5) * sliceAngle(count);
	return Math.max(0, Math.floor(turns)) * 360 + ((360 - middle) % 360);
}

/**
 * The next rotation from where the wheel stands now (`current`, any number of turns):
 * at least `turns` more whole turns, ending on segment `index`. Always larger than
 * `current`, so a CSS transition turns forward.
 */
export function nextRotation(current: number, index: number, count: number, turns: number): number {
	const target = landingAngle(index, count, 0);
	const delta = (((target - current) % 360) + 360) % 360;
	return current + Math.max(0, Math.floor(turns)) * 360 + delta;
}

/** Which segment is under the pointer when the wheel is turned by `rotation` degrees. */
export function segmentAt(rotation: number, count: number): number {
	const underPointer = (((-rotation % 360) + 360) % 360) / sliceAngle(count);
	return Math.min(count - 1, Math.floor(underPointer));
}

/** The SVG path of slice `index` of a wheel of radius `r` centred at (cx, cy). */
export function slicePath(index: number, count: number, cx: number, cy: number, r: number): string {
	if (count === 1) return `M ${cx} ${cy - r} A ${r} ${r} 0 1 1 ${cx - 0.01} ${cy - r} Z`;
	const from = ((index * sliceAngle(count) - 90) * Math.PI) / 180;
	const to = (((index + 1) * sliceAngle(count) - 90) * Math.PI) / 180;
	const x1 = cx + r * Math.cos(from);
	const y1 = cy + r * Math.sin(from);
	const x2 = cx + r * Math.cos(to);
	const y2 = cy + r * Math.sin(to);
	const large = sliceAngle(count) > 180 ? 1 : 0;
	const f = (n: number) => n.toFixed(3);
	return `M ${cx} ${cy} L ${f(x1)} ${f(y1)} A ${r} ${r} 0 ${large} 1 ${f(x2)} ${f(y2)} Z`;
}

/** Where a slice's label sits: along the radius, ending near the rim (`r`), so a long title
 * grows towards the centre; on the left half turned round so it does not read upside down. */
export function labelPlacement(
	index: number,
	count: number,
	cx: number,
	cy: number,
	r: number
): { x: number; y: number; angle: number; anchor: 'start' | 'end' } {
	const middle = (index + 0.5) * sliceAngle(count);
	const radians = ((middle - 90) * Math.PI) / 180;
	const flipped = middle > 180;
	return {
		x: cx + r * Math.cos(radians),
		y: cy + r * Math.sin(radians),
		angle: flipped ? middle + 90 : middle - 90,
		anchor: flipped ? 'start' : 'end'
	};
}
