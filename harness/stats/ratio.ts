/** Ratios to the best of a set of figures, for side-by-side tables (1 = the best; 2 = twice as slow). */

/**
 * Each value divided by the smallest (lowerIsBetter, latencies) or the largest divided by each value (throughput).
 * Values that are not finite and positive get no ratio (undefined), and do not compete for best.
 */
export function ratiosToBest(values: ReadonlyMap<string, number | undefined>, lowerIsBetter = true): Map<string, number | undefined> {
  const usable = [...values.values()].filter((v): v is number => v !== undefined && Number.isFinite(v) && v > 0);
  const out = new Map<string, number | undefined>();
  const best = usable.length === 0 ? undefined : lowerIsBetter ? Math.min(...usable) : Math.max(...usable);
  for (const [k, v] of values) {
    out.set(k, best === undefined || v === undefined || !Number.isFinite(v) || v <= 0 ? undefined : lowerIsBetter ? v / best : best / v);
  }
  return out;
}
