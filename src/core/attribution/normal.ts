/**
 * @module The standard normal distribution functions attribution integrates with: Φ and Owen's T
 * function, which gives the mass of a standard bivariate normal over a wedge beyond a straight edge.
 * Both are deterministic and accurate to about 1e-14 (absolute), far below what a decision needs.
 */

const LOG_SQRT_2PI = 0.9189385332046727;

/**
 * Φ(x), the standard normal distribution function (Marsaglia's series; 0 below −9, 1 above 9, where
 * the true value differs from these by less than 1e-18).
 */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < -9) return 0;
  if (x > 9) return 1;
  const q = x * x;
  let sum = x;
  let term = x;
  let previous = 0;
  for (let i = 3; sum !== previous; i += 2) {
    previous = sum;
    term *= q / i;
    sum = previous + term;
  }
  return 0.5 + sum * Math.exp(-0.5 * q - LOG_SQRT_2PI);
}

/** Gauss–Legendre nodes and weights on [−1, 1], found once by Newton's method. */
function gaussLegendre(n: number): { nodes: Float64Array; weights: Float64Array } {
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let x = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let derivative = 0;
    for (let iteration = 0; iteration < 100; iteration++) {
      let p0 = 1;
      let p1 = x;
      for (let k = 2; k <= n; k++) {
        const p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
        p0 = p1;
        p1 = p2;
      }
      derivative = (n * (x * p1 - p0)) / (x * x - 1);
      const step = p1 / derivative;
      x -= step;
      if (Math.abs(step) < 1e-16) break;
    }
    nodes[i] = x;
    weights[i] = 2 / ((1 - x * x) * derivative * derivative);
  }
  return { nodes, weights };
}

// 24 points integrate T's integrand on [0, a ≤ 1] for h ≤ 12 to about 1e-15: the integrand's poles at
// ±i are far from the interval and its Gaussian factor spans at most about a dozen widths of it.
const RULE = gaussLegendre(24);

/** T(h, a) for h ≥ 0 and 0 ≤ a ≤ 1, by quadrature of its defining integral. */
function owensTQuadrature(h: number, a: number): number {
  const half = a / 2;
  const hh = -0.5 * h * h;
  let sum = 0;
  for (let i = 0; i < RULE.nodes.length; i++) {
    const x = half * (1 + (RULE.nodes[i] ?? 0));
    const onePlus = 1 + x * x;
    sum += ((RULE.weights[i] ?? 0) * Math.exp(hh * onePlus)) / onePlus;
  }
  return (sum * half) / (2 * Math.PI);
}

/**
 * Owen's T function, T(h, a) = 1/(2π) ∫₀ᵃ exp(−h²(1 + x²)/2) / (1 + x²) dx: for a standard bivariate
 * normal (Z₁, Z₂), T(h, a) = P(Z₁ > h, 0 < Z₂ < a·Z₁) when h, a ≥ 0. Even in h, odd in a; a may be ±∞
 * (T(h, ∞) = Φ(−|h|)/2).
 */
export function owensT(h: number, a: number): number {
  if (Number.isNaN(h) || Number.isNaN(a)) return NaN;
  const absH = Math.abs(h);
  if (a < 0) return -owensT(absH, -a);
  if (a === 0) return 0;
  if (absH > 12) return 0; // below Φ(−12)/2 ≈ 1.8e-33
  if (a === Infinity) return normalCdf(-absH) / 2;
  if (a <= 1) return owensTQuadrature(absH, a);
  // T(h, a) + T(ah, 1/a) = Φ(h)/2 + Φ(ah)/2 − Φ(h)·Φ(ah) for h, a ≥ 0, written with upper tails to keep
  // the precision of small results: (Q(h) + Q(ah))/2 − Q(h)·Q(ah), Q(x) = Φ(−x).
  const ah = a * absH;
  const qh = normalCdf(-absH);
  const qah = normalCdf(-ah);
  return (qh + qah) / 2 - qh * qah - (ah > 12 ? 0 : owensTQuadrature(ah, 1 / a));
}
