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
