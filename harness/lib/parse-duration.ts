/** Durations in suites and flags: a number of milliseconds, or `250ms`, `3s`, `1.5s`, `2m` (negative where allowed). */

const DURATION = /^(-?\d+(?:\.\d+)?)(ms|s|m)$/;

/** Milliseconds, or undefined when the text is not a duration. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value !== 'string') return undefined;
  const m = DURATION.exec(value.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2];
  return Math.round(unit === 'ms' ? n : unit === 's' ? n * 1000 : n * 60_000);
}
