/** A problem in a user's YAML file, with where it is. The CLI prints it alone and exits 2. */
export class SuiteError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly problem: string,
  ) {
    super(`${file}${line !== undefined ? `:${line}` : ''}: ${problem}`);
    this.name = 'SuiteError';
  }
}
