/**
 * Distribution functions for inference (Student's t, F, standard normal), thin typed wrappers
 * over stdlib-js's implementations (`@stdlib/stats-base-dists-*`, `@stdlib/math-base-special-betainc`),
 * which are ports of Boost.Math / Cephes and are tested against scipy/R to a few ulps.
 *
 * Survival functions are never computed as `1 − cdf`: that cancels to 0 for p-values below
 * ~1e-16. The t survival function uses the symmetry sf(x) = cdf(−x), whose lower tail stdlib
 * evaluates directly with the regularized incomplete beta function; the F survival function
 * is the upper regularized incomplete beta I_{d2/(d2 + d1·x)}(d2/2, d1/2) (Abramowitz &
 * Stegun 26.6.2). All functions return NaN for NaN input or invalid degrees of freedom, as
 * stdlib and scipy do.
 */
import betainc from "@stdlib/math-base-special-betainc";
import fQuantileImpl from "@stdlib/stats-base-dists-f-quantile";
import normalCdfImpl from "@stdlib/stats-base-dists-normal-cdf";
import normalQuantileImpl from "@stdlib/stats-base-dists-normal-quantile";
import tCdfImpl from "@stdlib/stats-base-dists-t-cdf";
import tQuantileImpl from "@stdlib/stats-base-dists-t-quantile";

/**
 * P(T ≤ x) for Student's t with `df` > 0 degrees of freedom (df may be fractional).
 * @example tCdf(2, 10) // ≈ 0.963306
 */
export function tCdf(x: number, df: number): number {
  return tCdfImpl(x, df);
}

/**
 * P(T > x) = tCdf(−x, df), accurate in the far upper tail (relative, not absolute, error).
 * A two-sided p-value is `2 * tSf(Math.abs(t), df)`.
 * @example tSf(40, 100) // ≈ 1.231e-63
 */
export function tSf(x: number, df: number): number {
  return tCdfImpl(-x, df);
}

/**
 * The x with P(T ≤ x) = p, p in [0, 1] (±Infinity at 0 and 1).
 * @example tQuantile(0.975, 10) // ≈ 2.228139
 */
export function tQuantile(p: number, df: number): number {
  return tQuantileImpl(p, df);
}

/**
 * P(F > x) for the F distribution with (d1, d2) degrees of freedom, accurate for tiny values
 * (the p-value of a regression's F statistic). 1 for x ≤ 0.
 * @example fSf(3.5, 4, 35) // ≈ 0.0166
 */
export function fSf(x: number, d1: number, d2: number): number {
  if (Number.isNaN(x) || Number.isNaN(d1) || Number.isNaN(d2) || !(d1 > 0) || !(d2 > 0)) return NaN;
  if (x <= 0) return 1;
  if (x === Infinity) return 0;
  // I_z(d2/2, d1/2) with z = d2/(d2 + d1·x); the regularized lower incomplete beta of the
  // complementary argument, so no 1 − cdf cancellation.
  return betainc(d2 / (d2 + d1 * x), d2 / 2, d1 / 2, true, false);
}

/**
 * The x with P(F ≤ x) = p for the F distribution with (d1, d2) degrees of freedom.
 * @example fQuantile(0.95, 3, 115) // ≈ 2.683499
 */
export function fQuantile(p: number, d1: number, d2: number): number {
  return fQuantileImpl(p, d1, d2);
}

/** Standard normal Φ(x). */
export function normalCdf(x: number): number {
  return normalCdfImpl(x, 0, 1);
}

/**
 * 1 − Φ(x) = Φ(−x), accurate in the upper tail.
 * @example normalSf(1.959963984540054) // ≈ 0.025
 */
export function normalSf(x: number): number {
  return normalCdfImpl(-x, 0, 1);
}

/**
 * Φ⁻¹(p), p in [0, 1].
 *
 * stdlib's value (from erfinv(2p − 1)) is off by ~2e-9 relative at p ≈ 1e-10 and is −∞ below
 * p ≈ 1e-17, where 2p − 1 rounds to −1. So it is only the starting point (or, when infinite,
 * the asymptotic x ≈ −√(L − ln L − ln 2π), L = −2 ln p) of Newton's method on
 * ln Φ(x) = ln p in the tail that holds p: the step log1p((Φ(x) − p)/p)·Φ(x)/φ(x) uses Φ and φ,
 * both accurate to ~1e-16 relative down to 1e-300, and converges quadratically (one or two
 * steps from stdlib's value). 1 − p is exact for p ≥ 0.5 (Sterbenz), so the upper half mirrors.
 * @example normalQuantile(0.975) // ≈ 1.959964
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) return normalQuantileImpl(p, 0, 1);
  if (p > 0.5) return -normalQuantile(1 - p);
  if (p === 0.5) return 0;
  let x = normalQuantileImpl(p, 0, 1);
  if (!Number.isFinite(x)) {
    const L = -2 * Math.log(p);
    x = -Math.sqrt(L - Math.log(L) - Math.log(2 * Math.PI));
  }
  for (let iteration = 0; iteration < 20; iteration++) {
    const cdf = normalCdfImpl(x, 0, 1);
    const density = Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
    if (!(cdf > 0 && density > 0)) break;
    const step = (Math.log1p((cdf - p) / p) * cdf) / density;
    x -= step;
    if (Math.abs(step) <= 4 * Number.EPSILON * Math.abs(x)) break;
  }
  return x;
}
