/**
 * A long-lived environment (serve, soak) must not grow with every invocation or every restart of its runtime.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalEnvironment } from './local-environment.ts';
import { testFunctionConfig } from '../testing/test-config.ts';

const MINI = fileURLToPath(new URL('../testing/fixtures/mini-runtime.py', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'lambdaspec-longlived-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
/** Bytes held in Buffers after a full collection: what the environment really keeps. */
function retainedBufferBytes(): number {
  gc();
  gc();
  return process.memoryUsage().arrayBuffers;
}

async function environment(): Promise<LocalEnvironment> {
  return LocalEnvironment.create(testFunctionConfig({ functionName: 'mini', taskRoot: scratch, bootstrap: MINI }), {
    hostPath: process.env['PATH'] ?? '',
    record: false,
  });
}

describe('long-lived environment', () => {
  it('does not keep the events it handed out: 100 invocations of 1 MiB leave well under 100 MiB behind', async () => {
    const e = await environment();
    try {
      const event = { payload: Buffer.from(JSON.stringify({ do: 'echo', value: 'x'.repeat(1024 * 1024) })) };
      await e.invoke(event);
      const before = retainedBufferBytes();
      for (let i = 0; i < 100; i++) {
        const r = await e.invoke({ payload: Buffer.from(event.payload) });
        expect(r.outcome.kind).toBe('response');
      }
      const grown = retainedBufferBytes() - before;
      // Every handed-out event used to stay referenced until the process was replaced: 100 MiB here.
      expect(grown).toBeLessThan(20 * 1024 * 1024);
    } finally {
      await e.close();
    }
  });

  it('keeps the output of the last 8 processes only, and the record of every one', async () => {
    const e = await environment();
    try {
      for (let i = 0; i < 11; i++) {
        await e.invoke({ payload: Buffer.from(JSON.stringify({ do: 'print', text: `run-${i}` })) });
        const r = await e.invoke({ payload: Buffer.from(JSON.stringify({ do: 'exit', code: 3 })) });
        expect(r.outcome).toMatchObject({ kind: 'platform-error', error: { errorType: 'Runtime.ExitError' } });
      }
      expect(e.processes()).toHaveLength(11);
      expect(e.processes().every((p) => p.exit?.code === 3)).toBe(true);
      const printed = e
        .logs()
        .filter((l) => l.stream !== 'platform' && l.text.startsWith('run-'))
        .map((l) => l.text);
      expect(printed).toEqual(['run-3', 'run-4', 'run-5', 'run-6', 'run-7', 'run-8', 'run-9', 'run-10']);
    } finally {
      await e.close();
    }
  });
});
