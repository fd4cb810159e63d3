/** The command table: every command answers --help from its own usage, and the top-level usage lists each one. */
import { describe, expect, it } from 'vitest';
import { EXIT } from '../lib/exit-codes.ts';
import { COMMANDS, topLevelUsage } from './commands.ts';
import { memoryIo } from './io.ts';
import { main } from './main.ts';

describe('command table', () => {
  it.each(COMMANDS.map((c) => c.name))('%s --help prints its usage and exits 0', async (name) => {
    const io = memoryIo();
    expect(await main([name, '--help'], io)).toBe(EXIT.OK);
    expect(io.stdout()).toMatch(new RegExp(`^lambdaspec ${name} `));
    expect(io.stderr()).toBe('');
  });

  it('lists every command in the top-level usage', () => {
    const usage = topLevelUsage();
    for (const c of COMMANDS) expect(usage).toContain(`lambdaspec ${c.name} `);
  });

  it('answers an unknown command with one line naming it and the usage, exit 2', async () => {
    const io = memoryIo();
    expect(await main(['frobnicate'], io)).toBe(EXIT.USAGE);
    expect(io.stderr().split('\n')[0]).toBe('lambdaspec: unknown command "frobnicate"');
  });
});
