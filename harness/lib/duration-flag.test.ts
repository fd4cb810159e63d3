import { describe, expect, it } from 'vitest';
import { parseDurationFlag } from './duration-flag.ts';
import { UserError } from './user-error.ts';

describe('parseDurationFlag', () => {
  it('reads milliseconds, seconds, minutes and (for flags only) hours', () => {
    expect(parseDurationFlag('d', '250')).toBe(250);
    expect(parseDurationFlag('d', '1.5s')).toBe(1500);
    expect(parseDurationFlag('d', '10m')).toBe(600_000);
    expect(parseDurationFlag('d', '24h')).toBe(86_400_000);
    expect(parseDurationFlag('d', '0.5h')).toBe(1_800_000);
  });

  it('refuses anything else with a UserError naming the flag', () => {
    expect(() => parseDurationFlag('duration', '-1h')).toThrow(
      new UserError('--duration: "-1h" is not a duration (use e.g. 500ms, 3s, 2m, 1h)'),
    );
    expect(() => parseDurationFlag('duration', '1d')).toThrow(UserError);
  });
});
