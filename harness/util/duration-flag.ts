import { UserError } from './user-error.ts';

/** Parse a CLI duration (`250ms`, `3s`, `1.5s`, `2m`, or plain milliseconds). */
export function parseDurationFlag(flag: string, value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(value.trim());
  if (!m) throw new UserError(`--${flag}: "${value}" is not a duration (use e.g. 500ms, 3s, 2m)`);
  const n = Number(m[1]);
  const unit = m[2] ?? 'ms';
  return Math.round(unit === 'ms' ? n : unit === 's' ? n * 1000 : n * 60_000);
}
