/**
 * Random command lines for the CLI property test (harness/cli/argv.property.test.ts): a command, its own flags and
 * others', values of every kind (out of Lambda's ranges, paths that cannot be written, control characters, huge
 * strings), and always one input that is certainly bad — a runtime that does not exist, or a stray argument — so
 * no generated command line ever starts a real run, server or benchmark (`invoke` alone may run a bootstrap that
 * exits at once, so its flags are exercised past the runtime's resolution).
 */
import fc from 'fast-check';

/** Paths of every kind, made by the test in its own temp folder. */
export interface PathKinds {
  file: string;
  folder: string;
  belowFile: string;
  missing: string;
  /** A bootstrap that exits at once: `invoke` may really run it (one short invocation), the other commands never. */
  quits: string;
}

export const COMMANDS = [
  'run',
  'snapshot',
  'matrix',
  'build',
  'image',
  'invoke',
  'serve',
  'soak',
  'bench-harness',
  'bench',
  'compare',
  'load',
  'bench-generators',
] as const;
export type Command = (typeof COMMANDS)[number];

/** Commands that name runtimes as arguments; the others take none (compare: two report files). */
const TAKES_RUNTIMES = new Set<Command>(['run', 'snapshot', 'matrix', 'build', 'image', 'invoke', 'serve', 'soak', 'bench', 'load']);

function valueArb(paths: PathKinds): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(
      '',
      '0',
      '-1',
      '1',
      '65536',
      '99999',
      '1e3',
      'NaN',
      'Infinity',
      '0x10',
      '1.5',
      '128',
      '10241',
      '900s',
      '901s',
      '0s',
      '1000s',
      '99999h',
      '1ms',
      '2m',
      'abc',
    ),
    fc.constantFrom(
      '/proc/x',
      '/proc/rep/a/b',
      '/sys/x.json',
      '/dev/null/x',
      '/',
      '.',
      '..',
      '-',
      '--',
      'K=V',
      '=V',
      'K',
      '{"a":',
      '{}',
      'http://',
      'ftp://x',
      'http://127.0.0.1:9/',
      'builtin',
      'k6',
      'deployed',
      'process',
      'container',
      'sandbox',
    ),
    fc.constantFrom(paths.file, paths.folder, paths.belowFile, paths.missing, `${paths.folder}/new/deeper`),
    fc.constantFrom('\u001b[2J', '\u0000', 'a\nb', '\u202e', '💥', 'x'.repeat(5_000)),
    fc.string({ maxLength: 12 }),
  );
}

/** A runtime argument that cannot resolve (and never names something executable). */
function badRuntimeArb(paths: PathKinds): fc.Arbitrary<string> {
  return fc.constantFrom(
    'no-such-runtime-xyz',
    paths.folder,
    paths.file,
    paths.missing,
    paths.belowFile,
    '/proc/nonexistent',
    '../no/such',
  );
}

export function argvArb(
  command: Command,
  flags: readonly string[],
  otherFlags: readonly string[],
  paths: PathKinds,
): fc.Arbitrary<string[]> {
  const value = valueArb(paths);
  const token = fc.oneof(
    { weight: 6, arbitrary: fc.tuple(fc.constantFrom(...flags), value).map(([f, v]) => [f, v]) },
    { weight: 2, arbitrary: fc.constantFrom(...flags).map((f) => [f]) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...flags), value).map(([f, v]) => [`${f}=${v}`]) },
    { weight: 1, arbitrary: fc.constantFrom(...otherFlags, '-x', '--', '--no-such-flag').map((f) => [f]) },
    { weight: 1, arbitrary: value.map((v) => [v]) },
  );
  const poison: fc.Arbitrary<string[]> =
    command === 'invoke'
      ? fc.oneof(badRuntimeArb(paths), fc.constant(paths.quits)).map((r) => [r])
      : TAKES_RUNTIMES.has(command)
        ? badRuntimeArb(paths).map((r) => [r])
        : command === 'compare'
          ? fc.array(fc.oneof(value, badRuntimeArb(paths)), { maxLength: 3 })
          : fc.constantFrom('stray', paths.file, '').map((a) => [a]);
  // The bad argument comes first: anywhere else it could become a flag's value ("--out stray") and let work start.
  return fc.tuple(poison, fc.array(token, { maxLength: 6 })).map(([bad, tokens]) => [command, ...bad, ...tokens.flat()]);
}
