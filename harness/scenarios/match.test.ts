import { describe, expect, it } from 'vitest';
import type { Exchange, RecordedChunk } from '../model/recording.ts';
import { matchExchange, matchString, matchValue, matchWire } from './match.ts';

describe('matchValue', () => {
  it('matches objects by subset and arrays and scalars exactly', () => {
    expect(matchValue({ a: 1 }, { a: 1, b: 2 })).toEqual([]);
    expect(matchValue({ a: { b: 1 } }, { a: { b: 1, c: 3 } })).toEqual([]);
    expect(matchValue([1, 2], [1, 2, 3])).toEqual([{ path: '$', expected: '[1,2]', actual: '[1,2,3]' }]);
    expect(matchValue('x', 'y')).toEqual([{ path: '$', expected: '"x"', actual: '"y"' }]);
    expect(matchValue({ a: 1 }, { b: 1 })).toEqual([{ path: '$.a', expected: '1', actual: 'absent' }]);
    expect(matchValue({ a: 1 }, 'text')).toEqual([{ path: '$', expected: 'an object', actual: '"text"' }]);
    expect(matchValue(null, null)).toEqual([]);
  });

  it('applies every operator', () => {
    expect(matchValue({ $regex: '^a.c$' }, 'abc')).toEqual([]);
    expect(matchValue({ $regex: '^a' }, 42)).toHaveLength(1);
    expect(matchValue({ $type: 'integer' }, 3)).toEqual([]);
    expect(matchValue({ $type: 'integer' }, 3.5)).toHaveLength(1);
    expect(matchValue({ $type: 'number' }, 3)).toEqual([]);
    expect(matchValue({ $type: 'array' }, [])).toEqual([]);
    expect(matchValue({ $type: 'null' }, null)).toEqual([]);
    expect(matchValue({ a: { $any: true } }, { a: 0 })).toEqual([]);
    expect(matchValue({ a: { $absent: true } }, { b: 1 })).toEqual([]);
    expect(matchValue({ a: { $absent: true } }, { a: 1 })).toEqual([{ path: '$.a', expected: 'absent', actual: '1' }]);
    expect(matchValue({ $exact: { a: 1 } }, { a: 1, b: 2 })).toHaveLength(1);
    expect(matchValue({ $exact: { a: [1] } }, { a: [1] })).toEqual([]);
    expect(matchValue({ $gte: 1, $lte: 5 }, 5)).toEqual([]);
    expect(matchValue({ $gte: 1, $lte: 5 }, 6)).toEqual([{ path: '$', expected: '≤ 5', actual: '6' }]);
    expect(matchValue({ $len: 3 }, 'abc')).toEqual([]);
    expect(matchValue({ $len: { min: 1, max: 2 } }, [1, 2, 3])).toHaveLength(1);
    expect(matchValue({ $oneOf: [1, 'one'] }, 'one')).toEqual([]);
    expect(matchValue({ $oneOf: [1, 'one'] }, 2)).toHaveLength(1);
    expect(matchValue({ $not: { $regex: 'x' } }, 'abc')).toEqual([]);
    expect(matchValue({ $not: { $regex: 'b' } }, 'abc')).toHaveLength(1);
    expect(matchValue({ $contains: 'bc' }, 'abcd')).toEqual([]);
    expect(matchValue({ $contains: { id: 2 } }, [{ id: 1 }, { id: 2, x: 0 }])).toEqual([]);
    expect(matchValue({ $contains: 3 }, [1, 2])).toHaveLength(1);
    expect(matchValue({ $bogus: 1 }, 1)[0]!.expected).toContain('$bogus is not one');
  });

  it('replaces {{requestId}} in expected strings', () => {
    expect(matchValue({ id: '{{requestId}}' }, { id: 'r-1' }, { requestId: 'r-1' })).toEqual([]);
    expect(matchValue({ id: { $regex: '^{{requestId}}$' } }, { id: 'r-2' }, { requestId: 'r-1' })).toHaveLength(1);
  });

  it('reports the path of nested mismatches', () => {
    expect(matchValue({ a: [{ b: 1 }] }, { a: [{ b: 2 }] })).toEqual([{ path: '$.a[0].b', expected: '1', actual: '2' }]);
  });
});

describe('missing keys and templates', () => {
  it('gives operators a missing key as undefined, so absence can be matched by $oneOf and $not', () => {
    expect(matchValue({ a: { $oneOf: [{ $absent: true }, 'x'] } }, {})).toEqual([]);
    expect(matchValue({ a: { $oneOf: [{ $absent: true }, 'x'] } }, { a: 'x' })).toEqual([]);
    expect(matchValue({ a: { $oneOf: [{ $absent: true }, 'x'] } }, { a: 'y' })).toHaveLength(1);
    expect(matchValue({ a: { $not: { $any: true } } }, {})).toEqual([]);
    expect(matchValue({ a: { $any: true } }, {})).toEqual([{ path: '$.a', expected: 'present', actual: 'absent' }]);
    expect(matchValue({ a: { $gte: 1 } }, {})).toEqual([{ path: '$.a', expected: '≥ 1', actual: 'absent' }]);
    expect(matchValue({ a: { b: 1 } }, {})).toEqual([{ path: '$.a', expected: '{"b":1}', actual: 'absent' }]);
  });

  it('treats template text literally around the id', () => {
    // "." in the expected text is not a regex wildcard.
    expect(matchValue('a.{{requestId}}', 'axr-1', { requestId: 'r-1' })).toHaveLength(1);
    expect(matchValue('a.{{requestId}}', 'a.r-1', { requestId: 'r-1' })).toEqual([]);
    expect(matchValue({ $exact: { id: '{{requestId}}' } }, { id: 'r-1' }, { requestId: 'r-1' })).toEqual([]);
    expect(matchValue({ $contains: '/{{requestId}}/' }, 'x/r-1/y', { requestId: 'r-1' })).toEqual([]);
    expect(matchValue({ $contains: '/{{requestId}}/' }, 'x/r-2/y', { requestId: 'r-1' })).toEqual([
      { path: '$', expected: 'a string containing "/r-1/"', actual: '"x/r-2/y"' },
    ]);
  });

  it('lets {{anyRequestId}} stand for any known id, and for nothing when none is known', () => {
    const ctx = { allRequestIds: ['r-1', 'r-2'] };
    expect(matchString('/inv/{{anyRequestId}}/response', '/inv/r-2/response', ctx)).toEqual([]);
    expect(matchString('/inv/{{anyRequestId}}/response', '/inv/r-3/response', ctx)).toHaveLength(1);
    expect(matchString({ regex: '^/inv/{{anyRequestId}}/' }, '/inv/r-1/error', ctx)).toEqual([]);
    expect(matchValue({ id: '{{anyRequestId}}' }, { id: 'r-1' }, ctx)).toEqual([]);
    expect(matchString('{{anyRequestId}}', 'r-1', {})).toEqual([{ path: '$', expected: '"{{anyRequestId}}"', actual: '"r-1"' }]);
  });

  it('reports a regex that does not compile as a mismatch instead of throwing', () => {
    expect(matchValue({ $regex: '(' }, 'x')).toEqual([{ path: '$', expected: 'a string matching /(/', actual: '"x"' }]);
    expect(matchString({ regex: '[' }, 'x')).toHaveLength(1);
  });
});

describe('matchString', () => {
  it('matches exactly or by regex, with templates', () => {
    expect(matchString('a', 'a')).toEqual([]);
    expect(matchString({ regex: '^/x/{{requestId}}$' }, '/x/abc', { requestId: 'abc' })).toEqual([]);
    expect(matchString({ $regex: 'z' }, 'abc')).toEqual([{ path: '$', expected: 'a string matching /z/', actual: '"abc"' }]);
    expect(matchString('a', undefined)).toEqual([{ path: '$', expected: '"a"', actual: 'absent' }]);
  });
});

let seq = 0;
function ex(
  kind: Exchange['kind'],
  over: Partial<Exchange['request']> & { status?: number; requestId?: string; fault?: Exchange['fault'] } = {},
): Exchange {
  const { status, requestId, fault, ...req } = over;
  return {
    seq: ++seq,
    connection: 1,
    kind,
    ...(requestId ? { requestId } : {}),
    ...(fault ? { fault } : {}),
    request: {
      method: kind === 'next' ? 'GET' : 'POST',
      target: kind === 'next' ? '/2018-06-01/runtime/invocation/next' : `/2018-06-01/runtime/invocation/${requestId ?? 'r'}/${kind}`,
      httpVersion: '1.1',
      headers: [],
      body: Buffer.alloc(0),
      chunked: false,
      chunks: [],
      trailers: [],
      timing: { start: seq, headersDone: seq },
      ...req,
    },
    ...(status ? { response: { status, headers: [], body: Buffer.alloc(0), timing: { start: 0, end: 0 } } } : {}),
  };
}

const chunk = (size: number, at: number, doneAt = at): RecordedChunk => ({ size, extensions: '', offset: 0, at, doneAt });

describe('matchExchange', () => {
  it('checks method, kind, path, status, headers (case-insensitive, null = absent), json, body, size', () => {
    const x = ex('error', {
      requestId: 'r1',
      status: 202,
      headers: [{ name: 'lambda-runtime-function-error-type', value: 'Probe.Boom' }],
      body: Buffer.from('{"errorType":"Probe.Boom","errorMessage":"m"}'),
    });
    expect(
      matchExchange(
        {
          method: 'POST',
          kind: 'error',
          path: '/2018-06-01/runtime/invocation/{{requestId}}/error',
          status: 202,
          headers: { 'Lambda-Runtime-Function-Error-Type': 'Probe.Boom', 'X-Absent': null },
          json: { errorType: 'Probe.Boom' },
          body: { regex: 'errorMessage' },
          bodySize: 45,
        },
        x,
        { requestId: 'r1' },
      ),
    ).toEqual([]);
    const f = matchExchange({ status: 400, headers: { 'Lambda-Runtime-Function-Error-Type': null }, json: { errorType: 'X' } }, x, {});
    expect(f.map((m) => m.path)).toEqual([
      'exchange.status',
      'exchange.headers.Lambda-Runtime-Function-Error-Type',
      'exchange.json.errorType',
    ]);
  });

  it('checks chunking, chunk counts, gaps between chunks, trailers and faults', () => {
    const x = ex('response', {
      chunked: true,
      chunks: [chunk(3, 0, 1), chunk(3, 201, 202), chunk(0, 400)],
      trailers: [{ name: 'Lambda-Runtime-Function-Error-Type', value: 'Probe.Mid' }],
    });
    expect(
      matchExchange(
        {
          chunked: true,
          chunks: 2,
          chunkGapMs: { min: 150 },
          trailers: { 'Lambda-Runtime-Function-Error-Type': 'Probe.Mid' },
          fault: 'none',
        },
        x,
        {},
      ),
    ).toEqual([]);
    expect(matchExchange({ chunks: { min: 3 } }, x, {})[0]).toMatchObject({ path: 'exchange.chunks', actual: '2' });
    expect(matchExchange({ chunkGapMs: { min: 250 } }, x, {})[0]).toMatchObject({ path: 'exchange.chunkGapMs', actual: '200' });
    expect(matchExchange({ chunkSpanMs: { min: 150 } }, x, {})).toEqual([]);
    expect(matchExchange({ chunkSpanMs: { min: 300 } }, x, {})[0]).toMatchObject({ path: 'exchange.chunkSpanMs', actual: '202 ms' });
    const faulty = ex('response', { requestId: 'r' });
    faulty.fault = { kind: 'bad-chunk-size', detail: 'zz', at: 1 };
    expect(matchExchange({ fault: 'bad-chunk-size' }, faulty, {})).toEqual([]);
    expect(matchExchange({ fault: 'any' }, faulty, {})).toEqual([]);
    expect(matchExchange({ fault: 'none' }, faulty, {})[0]).toMatchObject({ actual: 'bad-chunk-size' });
  });
});

describe('matchWire', () => {
  const next = ex('next', { status: 200, requestId: 'r1' });
  const resp = ex('response', { status: 202, requestId: 'r1' });
  const poll = ex('next');
  const all = [next, resp, poll];

  it('matches in order by default and returns the matched exchanges as evidence', () => {
    const w = matchWire({ ordered: true, exclusive: false, exchanges: [{ kind: 'next' }, { kind: 'response' }] }, all, {});
    expect(w.failures).toEqual([]);
    expect(w.matched).toEqual([next, resp]);
    const reversed = matchWire({ ordered: true, exclusive: false, exchanges: [{ kind: 'response' }, { kind: 'error' }] }, all, {});
    expect(reversed.failures[0]!.path).toContain('wire.exchanges[1]');
  });

  it('respects order when ordered, ignores it when not', () => {
    const spec = { exclusive: false, exchanges: [{ kind: 'response' as const }, { kind: 'next' as const, status: 200 }] };
    expect(matchWire({ ...spec, ordered: true }, all, {}).failures).toHaveLength(1);
    expect(matchWire({ ...spec, ordered: false }, all, {}).failures).toEqual([]);
  });

  it('counts exactly with count, including zero', () => {
    expect(matchWire({ ordered: true, exclusive: false, exchanges: [{ kind: 'next', count: 2 }] }, all, {}).failures).toEqual([]);
    const zero = matchWire({ ordered: true, exclusive: false, exchanges: [{ kind: 'response', count: 0 }] }, all, {});
    expect(zero.failures[0]).toMatchObject({ expected: '0 × kind response', actual: expect.stringMatching(/^1: POST/) });
  });

  it('with exclusive, reports every exchange nothing asked for', () => {
    const w = matchWire({ ordered: true, exclusive: true, exchanges: [{ kind: 'next', status: 200 }, { kind: 'response' }] }, all, {});
    expect(w.failures).toEqual([
      { path: 'wire', expected: 'no exchanges beyond the listed ones', actual: 'GET /2018-06-01/runtime/invocation/next' },
    ]);
  });

  it('resolves {{anyRequestId}} to ids handed out by /next, not to ids a runtime made up', () => {
    const spec = {
      ordered: false,
      exclusive: false,
      exchanges: [{ kind: 'response' as const, path: '/2018-06-01/runtime/invocation/{{anyRequestId}}/response' }],
    };
    expect(matchWire(spec, all, {}).failures).toEqual([]);
    const bogus = ex('response', { status: 400, requestId: 'made-up' });
    expect(matchWire(spec, [next, bogus], {}).failures).toHaveLength(1);
    // Ids given by the caller (the whole case's) take precedence.
    expect(matchWire(spec, [bogus], { allRequestIds: ['made-up'] }).failures).toEqual([]);
  });

  it('counts only matching exchanges as evidence, and with count: 0 a hit is a failure naming it', () => {
    const w = matchWire({ ordered: false, exclusive: false, exchanges: [{ kind: 'error', count: 0 }, { kind: 'response' }] }, all, {});
    expect(w.failures).toEqual([]);
    expect(w.matched).toEqual([resp]);
  });

  it('checks headers that must be absent and trailers in wire matchers', () => {
    const streamed = ex('response', {
      status: 202,
      requestId: 'r1',
      headers: [{ name: 'Lambda-Runtime-Function-Response-Mode', value: 'streaming' }],
      chunked: true,
      chunks: [chunk(2, 0, 1), chunk(0, 2)],
      trailers: [{ name: 'lambda-runtime-function-error-type', value: 'Probe.Mid' }],
    });
    const ok = matchWire(
      {
        ordered: true,
        exclusive: true,
        exchanges: [
          {
            kind: 'response',
            headers: { 'lambda-runtime-function-response-mode': 'streaming', 'Content-Length': null },
            trailers: { 'Lambda-Runtime-Function-Error-Type': { regex: '^Probe\\.' } },
            chunks: 1,
          },
        ],
      },
      [streamed],
      {},
    );
    expect(ok).toEqual({ failures: [], matched: [streamed] });
    const bad = matchWire(
      { ordered: true, exclusive: false, exchanges: [{ kind: 'response', headers: { 'Lambda-Runtime-Function-Response-Mode': null } }] },
      [streamed],
      {},
    );
    expect(bad.failures).toEqual([
      { path: 'wire.exchanges[0].headers.Lambda-Runtime-Function-Response-Mode', expected: 'absent', actual: '"streaming"' },
    ]);
  });

  it('explains a miss with the closest exchange', () => {
    const w = matchWire({ ordered: true, exclusive: false, exchanges: [{ kind: 'response', status: 413 }] }, all, {});
    expect(w.failures).toEqual([{ path: 'wire.exchanges[0].status', expected: '413', actual: '202' }]);
  });
});
