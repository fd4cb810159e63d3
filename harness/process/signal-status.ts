/**
 * A shell, bwrap or an init process reports a child killed by signal N as exit status 128 + N. Lambda (the
 * runtime's real parent) sees the signal itself, so launchers that sit in between translate the status back.
 */
import { constants } from 'node:os';

/** The signal an exit status above 128 stands for, or undefined when it names none. */
export function signalOfStatus(status: number): NodeJS.Signals | undefined {
  if (status <= 128 || status >= 128 + 65) return undefined;
  const entry = Object.entries(constants.signals).find(([, n]) => n === status - 128);
  return entry?.[0] as NodeJS.Signals | undefined;
}
