// The example of docs/api.md, verbatim between the markers: a runtime author's own test file, importing the
// package entry ('lambdaspec' resolves to this package's compiled dist/api.js through its exports).
// --- example ---
import { describe, expect, it } from 'vitest';
import { runConformance, runConformanceCase, startFakeRuntimeApi, startFunction } from 'lambdaspec';

const RUNTIME = 'python-stdlib'; // or './my-runtime': a folder with runtime.yaml or a bootstrap

describe('my runtime against lambdaspec', () => {
  it('passes the response cases', async () => {
    const { report } = await runConformance({ runtime: RUNTIME, filter: ['response.*'] });
    expect(report.cases.filter((c) => c.verdict === 'fail')).toEqual([]);
    expect(report.exitCode).toBe(0);
  });

  it('reports the error type header as documented', async () => {
    const result = await runConformanceCase(RUNTIME, 'error.type-header');
    expect(result.verdict).toBe('pass');
  });

  it('answers an invocation, and the recording shows what it sent', async () => {
    const fn = await startFunction(RUNTIME, { environment: { GREETING: 'hi' } });
    try {
      const r = await fn.invoke({ payload: Buffer.from('{"probe":"echo","payload":{"a":1}}') });
      expect(r.outcome.kind).toBe('response');
      expect(JSON.parse(r.payload.toString())).toEqual({ a: 1 });
      const posts = fn.recording().exchanges.filter((x) => x.kind === 'response');
      expect(posts).toHaveLength(1);
    } finally {
      await fn.close();
    }
  });

  it('gives a bare fake Runtime API to a runtime started by hand', async () => {
    const api = await startFakeRuntimeApi();
    try {
      // Start your runtime with AWS_LAMBDA_RUNTIME_API=api.address; here a two-request client stands in for it.
      const invoked = api.invoke('{"n":1}');
      const next = await fetch(`http://${api.address}/2018-06-01/runtime/invocation/next`);
      const id = next.headers.get('lambda-runtime-aws-request-id');
      await fetch(`http://${api.address}/2018-06-01/runtime/invocation/${id}/response`, { method: 'POST', body: '{"ok":true}' });
      expect((await invoked).body.toString()).toBe('{"ok":true}');
      expect(api.recording().exchanges.map((x) => x.kind)).toEqual(['next', 'response']);
    } finally {
      await api.close();
    }
  });
});
// --- example ---

import { readFileSync } from 'node:fs';

describe('docs/api.md', () => {
  it('shows this example verbatim', () => {
    const example = readFileSync(new URL(import.meta.url), 'utf8').split('// --- example ---\n')[1]!;
    expect(readFileSync(new URL('../docs/api.md', import.meta.url), 'utf8')).toContain(example);
  });
});
