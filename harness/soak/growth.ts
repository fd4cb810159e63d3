/** Telling growth from noise in a soak's time series: a least-squares slope after warm-up, and the bounds it must stay under. */

export interface Point {
  x: number;
  y: number;
}

/** Least-squares slope of y over x; undefined with fewer than three points or no spread in x. */
export function linearSlope(points: readonly Point[]): number | undefined {
  const n = points.length;
  if (n < 3) return undefined;
  let sx = 0;
  let sy = 0;
  for (const p of points) {
    sx += p.x;
    sy += p.y;
  }
  const mx = sx / n;
  const my = sy / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return den === 0 ? undefined : num / den;
}

/** What a soak must stay within to pass. */
export interface SoakBounds {
  /** Harness RSS growth after warm-up, MiB per minute (least-squares slope). */
  maxRssSlopeMiBPerMin: number;
  /** Open descriptors at the last quiescent point minus the first one (after the first round). */
  maxFdGrowth: number;
}

/** Generous enough for GC noise over a few minutes, tight enough to catch a per-invocation leak. */
export const DEFAULT_BOUNDS: SoakBounds = { maxRssSlopeMiBPerMin: 8, maxFdGrowth: 8 };

/** Samples before this share of the run are warm-up (JIT, heap sizing, first-use allocations) and not judged. */
export const WARMUP_SHARE = 0.25;
