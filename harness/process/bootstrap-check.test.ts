import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkBootstrap } from './bootstrap-check.ts';
import { hostArchitecture } from './elf.ts';

const dir = mkdtempSync(join(tmpdir(), 'lambdaspec-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const arch = hostArchitecture();

function file(name: string, content: string | Buffer, mode = 0o755): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  chmodSync(p, mode);
  return p;
}

function elf(machine: number): Buffer {
  const h = Buffer.alloc(64);
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]).copy(h);
  h.writeUInt16LE(machine, 18);
  return h;
}

describe('checkBootstrap', () => {
  it('accepts a runnable script and a native ELF of the function architecture', () => {
    expect(checkBootstrap(file('ok', '#!/bin/sh\necho hi\n'), { architecture: arch })).toBeUndefined();
    expect(checkBootstrap(process.execPath, { architecture: arch })).toBeUndefined();
  });

  it('words each failure as Lambda does, with our own explanation', () => {
    const missing = join(dir, 'missing');
    expect(checkBootstrap(missing, { architecture: arch })).toEqual({
      kind: 'missing',
      errorType: 'Runtime.InvalidEntrypoint',
      message: `Couldn't find valid bootstrap(s): [${missing}]`,
      detail: `${missing} does not exist`,
    });
    const folder = join(dir, 'folder');
    mkdirSync(folder);
    expect(checkBootstrap(folder, { architecture: arch })).toMatchObject({
      kind: 'not-a-file',
      message: `fork/exec ${folder}: permission denied`,
    });
    const noexec = file('noexec', '#!/bin/sh\n', 0o644);
    expect(checkBootstrap(noexec, { architecture: arch })).toMatchObject({
      kind: 'not-executable',
      message: `fork/exec ${noexec}: permission denied`,
    });
    const interp = file('interp', '#!/nonexistent/sh\n');
    expect(checkBootstrap(interp, { architecture: arch })).toMatchObject({
      kind: 'interpreter-missing',
      message: `fork/exec ${interp}: no such file or directory`,
      detail: expect.stringContaining('"/nonexistent/sh"'),
    });
    const crlf = file('crlf', '#!/bin/sh\r\necho hi\r\n');
    expect(checkBootstrap(crlf, { architecture: arch })).toMatchObject({ kind: 'crlf-shebang', detail: expect.stringContaining('CRLF') });
  });

  it('refuses a script without a #! line (and an empty file) as exec format error, as Lambda does; no shell fallback', () => {
    for (const [name, content] of [
      ['noshebang', 'echo "would run under /bin/sh"\n'],
      ['empty', ''],
      ['spaced', ' #!/bin/sh\n'],
    ] as const) {
      const path = file(name, content);
      expect(checkBootstrap(path, { architecture: arch }), name).toEqual({
        kind: 'no-shebang',
        errorType: 'Runtime.InvalidEntrypoint',
        message: `fork/exec ${path}: exec format error`,
        detail: expect.stringContaining('#!'),
      });
    }
  });

  it('leaves an env-style missing interpreter to fail for real (exit 127, as on Lambda)', () => {
    expect(checkBootstrap(file('envmissing', '#!/usr/bin/env no-such-interpreter-here\n'), { architecture: arch })).toBeUndefined();
  });

  it("reports an ELF for another architecture than the function's as exec format error, emulated or not", () => {
    const foreign = file('foreign', elf(arch === 'x86_64' ? 183 : 62));
    expect(checkBootstrap(foreign, { architecture: arch })).toMatchObject({
      kind: 'arch-mismatch',
      message: `fork/exec ${foreign}: exec format error`,
      detail: expect.stringMatching(/ELF built for (arm64|x86_64) \(e_machine \d+\) but the function's architecture is /),
    });
    expect(checkBootstrap(foreign, { architecture: arch, allowForeignArch: true })).toMatchObject({ kind: 'arch-mismatch' });
  });

  it("reports an ELF of the function's architecture that this machine cannot run as exec format error too", () => {
    const other = arch === 'x86_64' ? 'arm64' : 'x86_64';
    const foreign = file('foreign-fn', elf(arch === 'x86_64' ? 183 : 62));
    expect(checkBootstrap(foreign, { architecture: other })).toMatchObject({
      kind: 'arch-mismatch',
      message: `fork/exec ${foreign}: exec format error`,
      detail: expect.stringContaining('--emulate'),
    });
    expect(checkBootstrap(foreign, { architecture: other, allowForeignArch: true })).toBeUndefined();
  });
});
