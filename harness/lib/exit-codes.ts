/**
 * The exit codes of every lambdaspec command, in one place so each is decided the same way everywhere.
 * A signal (SIGINT or SIGTERM) ends any command with INTERRUPTED, after the partial reports are written.
 */
export const EXIT = {
  /** Everything ran and nothing required failed. */
  OK: 0,
  /** The run completed and found a failure: a MUST case (a SHOULD under --strict), a bench regression, a parity difference. */
  FAILED: 1,
  /** Bad input (flag, path, suite file, runtime) or a target that cannot be reached: one line on stderr. */
  USAGE: 2,
  /** Stopped by SIGINT or SIGTERM; what was done so far is reported. 128 + SIGINT, as shells report Ctrl-C. */
  INTERRUPTED: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
