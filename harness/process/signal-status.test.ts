import { describe, expect, it } from 'vitest';
import { signalOfStatus } from './signal-status.ts';

describe('signalOfStatus', () => {
  it('reads 128 + N as signal N and anything else as no signal', () => {
    expect(signalOfStatus(137)).toBe('SIGKILL');
    expect(signalOfStatus(143)).toBe('SIGTERM');
    expect(signalOfStatus(131)).toBe('SIGQUIT');
    expect(signalOfStatus(128)).toBeUndefined();
    expect(signalOfStatus(3)).toBeUndefined();
    expect(signalOfStatus(255)).toBeUndefined();
  });
});
