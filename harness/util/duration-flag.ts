import { parseDuration } from '../scenarios/parse-duration.ts';
import { UserError } from './user-error.ts';

/** Parse a CLI duration flag (`250ms`, `3s`, `1.5s`, `2m`, or plain milliseconds). */
export function parseDurationFlag(flag: string, value: string): number {
  const ms = /^\d+$/.test(value.trim()) ? Number(value) : parseDuration(value);
  if (ms === undefined || ms < 0) throw new UserError(`--${flag}: "${value}" is not a duration (use e.g. 500ms, 3s, 2m)`);
  return ms;
}
