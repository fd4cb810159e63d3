/**
 * Seed and size of the fuzz corpus. Reproducible by default (a fixed seed); `LAMBDASPEC_FUZZ_SEED` and
 * `LAMBDASPEC_FUZZ_RUNS` (total inputs across all fuzz properties) change them. fast-check prints the seed and
 * counterexample path of a failing property, so a CI failure can be replayed with the same two variables.
 */
import { UserError } from '../../lib/user-error.ts';

export const DEFAULT_FUZZ_SEED = 20_261_125;
/**
 * Generated inputs of one default `npm test` for the Runtime API (parser properties in-process, socket properties
 * over TCP); the Invoke front's and the CLI's shares come on top (0.8 % more).
 */
export const DEFAULT_FUZZ_RUNS = 105_000;

/** Share of the total each property gets. Sockets are ~1000× dearer than in-process parsing, hence the small share. */
export const FUZZ_SHARES = {
  parserValid: 0.25,
  parserHostile: 0.22,
  parserMutated: 0.498,
  socketValid: 0.01,
  socketHostile: 0.02,
  socketContinue: 0.002,
  /** The Invoke front (harness/invoke/front.fuzz.test.ts): each input is a hostile connection beside a good one. */
  frontHostile: 0.004,
  frontValid: 0.001,
  /** Random argv for every CLI command, run in-process (harness/cli/argv.property.test.ts). */
  cliArgv: 0.003,
} as const;

export type FuzzProperty = keyof typeof FUZZ_SHARES;

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  if (!/^[0-9]+$/.test(raw.trim())) throw new UserError(`${name} must be a non-negative integer, got ${JSON.stringify(raw)}`);
  return Number(raw.trim());
}

export function fuzzSeed(): number {
  return intFromEnv('LAMBDASPEC_FUZZ_SEED', DEFAULT_FUZZ_SEED);
}

export function fuzzTotalRuns(): number {
  return intFromEnv('LAMBDASPEC_FUZZ_RUNS', DEFAULT_FUZZ_RUNS);
}

/** fast-check parameters for one property: its own seed (derived, so properties don't share a stream) and runs. */
export function fuzzParameters(property: FuzzProperty): { seed: number; numRuns: number } {
  const index = Object.keys(FUZZ_SHARES).indexOf(property);
  return {
    seed: (fuzzSeed() + index * 7919) | 0,
    numRuns: Math.max(1, Math.round(fuzzTotalRuns() * FUZZ_SHARES[property])),
  };
}
