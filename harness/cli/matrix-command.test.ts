import { describe, expect, it } from 'vitest';
import type { ResolvedRuntime } from '../runtime/resolve-runtime.ts';
import { hostArchitecture } from '../targets/process/elf.ts';
import { withoutForeignArchitectures } from './matrix-command.ts';

const rt = (name: string, architecture: 'x86_64' | 'arm64'): ResolvedRuntime => ({
  spec: { name, language: 'go', handler: 'h', bootstrap: 'bootstrap', architecture, capabilities: {} },
  dir: `/rt/${name}`,
  bootstrap: `/rt/${name}/bootstrap`,
});

describe('matrix: runtimes built for another architecture', () => {
  const host = hostArchitecture();
  const other = host === 'x86_64' ? 'arm64' : 'x86_64';
  const prepared = { ready: [rt('native', host), rt('foreign', other)], skipped: [] };

  it('get a skipped column naming the architecture mismatch without --emulate', () => {
    const lines: string[] = [];
    const { runtimes, skipped } = withoutForeignArchitectures(prepared, false, (l) => lines.push(l));
    expect(runtimes.map((r) => r.spec.name)).toEqual(['native']);
    expect(skipped.map((s) => [s.runtime.spec.name, s.reason])).toEqual([['foreign', expect.stringMatching(/^architecture mismatch: .*exec format error.*--emulate$/)]]);
    expect(lines).toHaveLength(1);
  });
});
