import { describe, expect, it } from 'vitest';
import { normalisePayload, payloadDigest, reportFieldsPresent } from './normalise.ts';
import { compareWithSnapshot } from './snapshot.ts';
import type { Snapshot } from './snapshot-model.ts';

describe('normalised payloads', () => {
  it('masks per-invocation and per-account values and ignores key order', () => {
    const a = Buffer.from(
      JSON.stringify({
        requestId: 'x',
        deadlineMs: 1,
        pid: 7,
        functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:a',
        clientContext: { c: 1 },
        b: 2,
      }),
    );
    const b = Buffer.from(
      JSON.stringify({
        b: 2,
        clientContext: { c: 1 },
        functionArn: 'arn:aws:lambda:eu-west-1:999999999999:function:zz',
        pid: 99,
        deadlineMs: 5,
        requestId: 'y',
      }),
    );
    expect(payloadDigest(a)).toBe(payloadDigest(b));
    expect(payloadDigest(Buffer.from('{"b":3}'))).not.toBe(payloadDigest(Buffer.from('{"b":2}')));
  });

  it('masks request ids and ARNs inside text, also in non-JSON payloads', () => {
    expect(normalisePayload(Buffer.from('RequestId: 0f0e0d0c-1111-4222-8333-444455556666 Error: x'))).toBe('RequestId: <uuid> Error: x');
    expect(
      normalisePayload(
        Buffer.from('{"errorMessage":"RequestId: 0f0e0d0c-1111-4222-8333-444455556666 Error: Runtime exited","stackTrace":["a"]}'),
      ),
    ).toBe('{"errorMessage":"RequestId: <uuid> Error: Runtime exited","stackTrace":"<volatile>"}');
  });

  it('lists REPORT fields present', () => {
    expect(
      reportFieldsPresent({
        durationMs: 1,
        billedDurationMs: 2,
        memorySizeMb: 128,
        maxMemoryUsedMb: 20,
        initDurationMs: 3,
        status: 'error',
        errorType: 'X',
      }),
    ).toEqual(['Duration', 'Billed Duration', 'Memory Size', 'Max Memory Used', 'Init Duration', 'Status', 'Error Type']);
  });
});

describe('comparing with a snapshot', () => {
  const snap = (cases: Snapshot['cases']): Snapshot => ({
    format: 'lambdaspec.snapshot/v1',
    createdAt: 't',
    target: 'deployed',
    subject: 'fn',
    cases,
  });
  it('reports differing outcomes, ignores Init Duration, and lists what it could not compare', () => {
    const recorded = snap([
      { id: 'a', verdict: 'pass', steps: [{ step: 1, payloadDigest: 'p1', reportFields: ['Duration'], chunks: 2 }] },
      { id: 'b', verdict: 'pass', steps: [{ step: 1, errorType: 'E1', functionError: 'Unhandled' }] },
      { id: 'c', verdict: 'skipped', skipped: 'not observable', steps: [] },
      { id: 'd', verdict: 'pass', steps: [{ step: 1 }] },
    ]);
    const local = snap([
      { id: 'a', verdict: 'pass', steps: [{ step: 1, payloadDigest: 'p1', reportFields: ['Duration', 'Init Duration'], chunks: 3 }] },
      { id: 'b', verdict: 'fail', steps: [{ step: 1, errorType: 'E2', functionError: 'Unhandled' }] },
      { id: 'c', verdict: 'pass', steps: [{ step: 1 }] },
      { id: 'e', verdict: 'pass', steps: [] },
    ]);
    const c = compareWithSnapshot(recorded, 's.json', local);
    expect(c.compared).toBe(2);
    expect(c.differences).toEqual([
      { caseId: 'a', step: 1, field: 'chunks', recorded: '2', local: '3' },
      { caseId: 'b', step: 1, field: 'errorType', recorded: 'E1', local: 'E2' },
    ]);
    expect(c.notCompared.map((n) => n.id).sort()).toEqual(['c', 'd', 'e']);
  });
});
