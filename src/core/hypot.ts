/**
 * @module √(x² + y²) without `Math.hypot`. `Math.hypot` guards against overflow and underflow that
 * metres, seconds and their squares never reach, and costs ~15 times as much as the square root: on a
 * worst day fusion and attribution take such roots millions of times.
 */

/** √(x² + y²). */
export const hypot = (x: number, y: number): number => Math.sqrt(x * x + y * y);

/** √(x² + y² + z²). */
export const hypot3 = (x: number, y: number, z: number): number => Math.sqrt(x * x + y * y + z * z);
