/**
 * Property: whatever command line a user types, every command answers with exit 0, 1 or 2, a few lines on stderr,
 * never a stack trace, and never hangs. Run in-process (main() with a memory Io); each generated command line holds
 * one certainly-bad input (testing/fuzz/argv-arbitraries.ts), so none starts real work. Size and seed:
 * LAMBDASPEC_FUZZ_RUNS / LAMBDASPEC_FUZZ_SEED (testing/fuzz/fuzz-config.ts).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveProcessCount } from '../process/process-runner.ts';
import { argvArb, COMMANDS, type PathKinds } from '../testing/fuzz/argv-arbitraries.ts';
import { fuzzParameters } from '../testing/fuzz/fuzz-config.ts';
import { memoryIo } from './io.ts';
import { main } from './main.ts';

const dir = mkdtempSync(join(tmpdir(), 'lambdaspec-argv-'));
const paths: PathKinds = {
  file: join(dir, 'file'),
  folder: join(dir, 'folder'),
  belowFile: join(dir, 'file', 'below'),
  missing: join(dir, 'missing', 'x.json'),
  quits: join(dir, 'quits', 'bootstrap'),
};
writeFileSync(paths.file, 'not a runtime');
mkdirSync(paths.folder);
mkdirSync(join(dir, 'quits'));
writeFileSync(paths.quits, '#!/bin/sh\nexit 3\n', { mode: 0o755 });
// Relative paths among the values ('-', 'K=V') land in the temp folder, never in the repository.
const cwd = process.cwd();
beforeAll(() => process.chdir(dir));
afterAll(() => {
  process.chdir(cwd);
  rmSync(dir, { recursive: true, force: true });
  expect(liveProcessCount()).toBe(0);
});

/** Each command's flags, as its --help lists them. */
async function flagsOf(command: string): Promise<string[]> {
  const io = memoryIo();
  await main([command, '--help'], io);
  return [...new Set([...io.stdout().matchAll(/--[a-z][a-z-]*/g)].map((m) => m[0]))];
}

const PER_RUN_MS = 20_000;

describe('random argv for every command', () => {
  it('exits 0, 1 or 2 — bad input in a few lines on stderr — with no stack trace, raw control character or hang', async () => {
    const flags = new Map<string, string[]>();
    for (const c of COMMANDS) flags.set(c, [...(await flagsOf(c)), '--help']);
    const all = [...new Set([...flags.values()].flat())];
    const arb = fc.constantFrom(...COMMANDS).chain((c) => argvArb(c, flags.get(c)!, all, paths));
    await fc.assert(
      fc.asyncProperty(arb, async (argv) => {
        const io = memoryIo();
        let timer: NodeJS.Timeout | undefined;
        const code = await Promise.race([
          main(argv, io),
          new Promise<'hang'>((resolve) => (timer = setTimeout(() => resolve('hang'), PER_RUN_MS))),
        ]).finally(() => clearTimeout(timer));
        const err = io.stderr();
        expect(code, err).not.toBe('hang');
        expect([0, 1, 2], err).toContain(code);
        expect(err, 'a stack trace').not.toMatch(/\n\s+at .+:\d+:\d+\)?$/m);
        // Bad input is one line (exit 0 or 1 is a real invocation: its log tail is the output).
        if (code === 2) expect(err.split('\n').filter((l) => l !== '').length, err).toBeLessThanOrEqual(3);
        expect(err, 'a raw control character').not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
      }),
      fuzzParameters('cliArgv'),
    );
  }, 600_000);
});
