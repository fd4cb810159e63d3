/**
 * An error the user caused and can fix (bad flag, missing file, broken YAML): the CLI prints its message alone —
 * no stack trace — and exits 2.
 */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

/**
 * A user-facing error that ends a run in progress (the deployed function's credentials were refused, it was
 * throttled, the network is gone): the suite stops, keeps the cases done so far in its report, and exits 2.
 */
export class StopRunError extends UserError {}
