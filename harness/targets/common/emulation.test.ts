import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { binfmtRegistered, needsEmulator, planEmulation } from './emulation.ts';

const fakeBinfmt = mkdtempSync(join(tmpdir(), 'lambdaspec-binfmt-'));
afterAll(() => rmSync(fakeBinfmt, { recursive: true, force: true }));

describe('emulation plan', () => {
  it('needs nothing for a native runtime and refuses nothing silently for a foreign one', () => {
    expect(planEmulation('x86_64', true, 'x86_64').mode).toBe('native');
    const off = planEmulation('arm64', false, 'x86_64');
    expect(off.mode).toBe('off');
    expect(off.note).toContain('exec format error');
  });

  it('uses a registered binfmt_misc handler when there is one', () => {
    const dir = mkdtempSync(join(fakeBinfmt, 'on-'));
    writeFileSync(join(dir, 'qemu-aarch64'), 'enabled\ninterpreter /usr/bin/qemu-aarch64-static\n');
    expect(binfmtRegistered('qemu-aarch64', dir)).toBe(true);
    expect(planEmulation('arm64', true, 'x86_64', dir)).toMatchObject({ mode: 'binfmt' });
    writeFileSync(join(dir, 'qemu-aarch64'), 'disabled\n');
    expect(binfmtRegistered('qemu-aarch64', dir)).toBe(false);
  });

  it.skipIf(!existsSync('/usr/bin/qemu-aarch64-static'))(
    'starts the bootstrap through qemu-aarch64-static explicitly without a handler, and says so',
    () => {
      const plan = planEmulation('arm64', true, 'x86_64', join(fakeBinfmt, 'not-mounted'));
      expect(plan).toMatchObject({ mode: 'explicit', emulator: '/usr/bin/qemu-aarch64-static' });
      expect(plan.note).toMatch(/not mounted/);
      // Only ELF binaries of the emulated architecture go through qemu; scripts run on the host's interpreters.
      const script = join(fakeBinfmt, 'script');
      writeFileSync(script, '#!/bin/sh\n');
      expect(needsEmulator(plan, script)).toBe(false);
    },
  );
});
