import { parseDuration } from './parse-duration.ts';
import { UserError } from './user-error.ts';

const MAX_TIMER_MS = 2_147_483_647;

/** Parse a CLI duration flag (`250ms`, `3s`, `1.5s`, `2m`, `1h`, or plain milliseconds). */
export function parseDurationFlag(flag: string, value: string): number {
  // Hours exist for flags only (a soak's length), not in the scenario language.
  const hours = /^(\d+(?:\.\d+)?)h$/.exec(value.trim());
  const ms = hours ? Math.round(Number(hours[1]) * 3_600_000) : /^\d+$/.test(value.trim()) ? Number(value) : parseDuration(value);
  if (ms === undefined || ms < 0 || !Number.isFinite(ms))
    throw new UserError(`--${flag}: "${value}" is not a duration (use e.g. 500ms, 3s, 2m, 1h)`);
  // Past this Node's timers fire at once (TimeoutOverflowWarning): no flag means 24.8 days.
  if (ms > MAX_TIMER_MS) throw new UserError(`--${flag}: "${value}" is longer than Node's timers allow (24 days)`);
  return ms;
}
