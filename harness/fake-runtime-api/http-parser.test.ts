import { describe, it, expect } from 'vitest';
import { RequestParser, type ParserLimits, type RequestHead } from './http-parser.ts';
import type { FramingFault, FramingFaultKind, RecordedChunk, RecordedHeader, RecordedRequest } from '../model/recording.ts';

type Ev =
  | { type: 'head'; head: RequestHead; request: RecordedRequest | undefined; at: number }
  | { type: 'chunk'; chunk: RecordedChunk }
  | { type: 'body'; data: Buffer; at: number }
  | { type: 'trailers'; trailers: RecordedHeader[]; at: number }
  | { type: 'complete'; request: RecordedRequest | undefined; at: number }
  | { type: 'fault'; fault: FramingFault; request: RecordedRequest | undefined };

interface Options {
  record?: boolean;
  limits?: Partial<ParserLimits>;
}

/** A parser wired to an event log and a hand-driven clock. Strings are fed as latin1 so tests can send any byte. */
function setup(options?: Options) {
  let now = 0;
  const log: Ev[] = [];
  const parser = new RequestParser(
    {
      onHead: (head, request, at) => log.push({ type: 'head', head, request, at }),
      onChunk: (chunk) => log.push({ type: 'chunk', chunk }),
      onBody: (data, at) => log.push({ type: 'body', data, at }),
      onTrailers: (trailers, at) => log.push({ type: 'trailers', trailers, at }),
      onComplete: (request, at) => log.push({ type: 'complete', request, at }),
      onFault: (fault, request) => log.push({ type: 'fault', fault, request }),
    },
    () => now,
    options,
  );
  const feed = (...parts: Array<string | Buffer>): void => {
    for (const p of parts) parser.push(typeof p === 'string' ? Buffer.from(p, 'latin1') : p);
  };
  return {
    parser,
    log,
    feed,
    setNow: (t: number) => {
      now = t;
    },
    types: () => log.map((e) => e.type),
    heads: () => log.flatMap((e) => (e.type === 'head' ? [e.head] : [])),
    completed: () => log.flatMap((e) => (e.type === 'complete' && e.request ? [e.request] : [])),
    faults: () => log.flatMap((e) => (e.type === 'fault' ? [e] : [])),
    bodyText: () => Buffer.concat(log.flatMap((e) => (e.type === 'body' ? [e.data] : []))).toString('latin1'),
  };
}

/** Everything of a recording except arrival times (which legitimately depend on how bytes were split). */
function normalize(r: RecordedRequest) {
  return {
    method: r.method,
    target: r.target,
    httpVersion: r.httpVersion,
    headers: r.headers,
    body: r.body.toString('latin1'),
    chunked: r.chunked,
    chunks: r.chunks.map(({ size, extensions, offset }) => ({ size, extensions, offset })),
    trailers: r.trailers,
  };
}

const CHUNKED_REQUEST =
  'POST /2018-06-01/runtime/invocation/abc/response HTTP/1.1\r\n' +
  'Host: 127.0.0.1\r\n' +
  'Lambda-Runtime-Function-Response-Mode: streaming\r\n' +
  'Transfer-Encoding: chunked\r\n' +
  'Trailer: Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body\r\n' +
  '\r\n' +
  '6;a=b\r\nhello \r\n' +
  '5 ; q="x;y" ; flag\r\nworld\r\n' +
  'A\r\n0123456789\r\n' +
  '0;last\r\n' +
  'Lambda-Runtime-Function-Error-Type: Probe.Mid\r\n' +
  'Lambda-Runtime-Function-Error-Body: Zm9v\r\n' +
  '\r\n';

const LENGTH_REQUEST = 'POST /2018-06-01/runtime/invocation/abc/error HTTP/1.1\r\nHost: x\r\nContent-Length: 7\r\n\r\n{"a":1}';
const GET_NEXT = 'GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\nUser-Agent: t/1\r\n\r\n';
/** Three pipelined messages of every framing, with an (ignorable) empty line between two of them. */
const PIPELINE = CHUNKED_REQUEST + LENGTH_REQUEST + '\r\n' + GET_NEXT;

describe('RequestParser: well-formed requests', () => {
  it('parses a simple GET: head, no body, onHead immediately followed by onComplete', () => {
    const p = setup();
    p.setNow(5);
    p.feed(GET_NEXT);
    expect(p.types()).toEqual(['head', 'complete']);
    const head = p.heads()[0]!;
    expect(head).toEqual({
      method: 'GET',
      target: '/2018-06-01/runtime/invocation/next',
      httpVersion: '1.1',
      headers: [
        { name: 'Host', value: 'x' },
        { name: 'User-Agent', value: 't/1' },
      ],
      framing: { kind: 'none' },
      keepAlive: true,
      expectContinue: false,
      declaredTrailers: [],
    });
    const [req] = p.completed();
    expect(req!.body.length).toBe(0);
    expect(req!.chunked).toBe(false);
    expect(req!.chunks).toEqual([]);
    expect(req!.timing).toEqual({ start: 5, headersDone: 5, bodyDone: 5 });
    expect(p.parser.idle).toBe(true);
  });

  it('parses a POST with Content-Length, streaming the body as it arrives', () => {
    const p = setup();
    p.setNow(1);
    p.feed('POST /x HTTP/1.1\r\nContent-Length: 10\r\n\r\n0123');
    expect(p.types()).toEqual(['head', 'body']);
    expect(p.parser.idle).toBe(false);
    p.setNow(2);
    p.feed('456789');
    expect(p.types()).toEqual(['head', 'body', 'body', 'complete']);
    expect(p.heads()[0]!.framing).toEqual({ kind: 'length', length: 10 });
    expect(p.bodyText()).toBe('0123456789');
    const [req] = p.completed();
    expect(req!.body.toString()).toBe('0123456789');
    expect(req!.timing).toEqual({ start: 1, headersDone: 1, bodyDone: 2 });
    // The request handed to onHead is the very object completed later.
    const headEv = p.log[0];
    expect(headEv?.type === 'head' && headEv.request).toBe(req);
  });

  it('records chunk sizes, extensions, offsets, trailers and declared trailers of a chunked body', () => {
    const p = setup();
    p.feed(CHUNKED_REQUEST);
    expect(p.types()).toEqual(['head', 'chunk', 'body', 'chunk', 'body', 'chunk', 'body', 'chunk', 'trailers', 'complete']);
    const head = p.heads()[0]!;
    expect(head.framing).toEqual({ kind: 'chunked' });
    expect(head.declaredTrailers).toEqual(['Lambda-Runtime-Function-Error-Type', 'Lambda-Runtime-Function-Error-Body']);
    const [req] = p.completed();
    expect(req!.chunked).toBe(true);
    expect(req!.body.toString()).toBe('hello world0123456789');
    expect(req!.chunks.map(({ size, extensions, offset }) => ({ size, extensions, offset }))).toEqual([
      { size: 6, extensions: 'a=b', offset: 0 },
      { size: 5, extensions: ' q="x;y" ; flag', offset: 6 },
      { size: 10, extensions: '', offset: 11 },
      { size: 0, extensions: 'last', offset: 21 },
    ]);
    expect(req!.trailers).toEqual([
      { name: 'Lambda-Runtime-Function-Error-Type', value: 'Probe.Mid' },
      { name: 'Lambda-Runtime-Function-Error-Body', value: 'Zm9v' },
    ]);
    const trailersEv = p.log.find((e) => e.type === 'trailers');
    expect(trailersEv?.type === 'trailers' && trailersEv.trailers).toEqual(req!.trailers);
  });

  it('emits an empty trailer list for a chunked body without trailers, and accepts leading zeros and any hex case', () => {
    const p = setup();
    p.feed('POST / HTTP/1.1\r\nTransfer-Encoding: Chunked\r\n\r\n000b\r\nhello world\r\nf\r\n0123456789abcde\r\n0000\r\n\r\n');
    const [req] = p.completed();
    expect(req!.chunks.map((c) => c.size)).toEqual([11, 15, 0]);
    expect(req!.body.toString()).toBe('hello world0123456789abcde');
    expect(req!.trailers).toEqual([]);
    const trailersEv = p.log.find((e) => e.type === 'trailers');
    expect(trailersEv?.type === 'trailers' && trailersEv.trailers).toEqual([]);
  });

  it('times a request from the first request-line byte to the last body byte, chunk by chunk', () => {
    const p = setup();
    p.setNow(1);
    p.feed('\r\n'); // an ignorable empty line: not the start of the request
    p.setNow(2);
    p.feed('POST / HT');
    p.setNow(3);
    p.feed('TP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r');
    p.setNow(4);
    p.feed('\nhel');
    p.setNow(5);
    p.feed('lo\r\n3\r\nabc\r\n');
    p.setNow(6);
    p.feed('0\r\n\r\n');
    const [req] = p.completed();
    expect(req!.timing).toEqual({ start: 2, headersDone: 3, bodyDone: 6 });
    expect(req!.chunks).toEqual([
      { size: 5, extensions: '', offset: 0, at: 4, doneAt: 5 },
      { size: 3, extensions: '', offset: 5, at: 5, doneAt: 5 },
      { size: 0, extensions: '', offset: 8, at: 6, doneAt: 6 },
    ]);
    const bodies = p.log.flatMap((e) => (e.type === 'body' ? [[e.data.toString(), e.at]] : []));
    expect(bodies).toEqual([
      ['hel', 4],
      ['lo', 5],
      ['abc', 5],
    ]);
  });

  it('keeps header case, order and duplicates; trims only surrounding OWS; keeps obs-text bytes', () => {
    const p = setup();
    const obs = 'caf\xe9 \xff\xa0';
    p.feed(`GET / HTTP/1.1\r\nX-ZZ: 1\r\nuser-AGENT:\t t \t\r\nX-zz:  2  3 \r\nX-Empty:\r\nX-Obs: ${obs}\r\nX-Quote: a"b\\c\r\n\r\n`);
    const head = p.heads()[0]!;
    expect(head.headers).toEqual([
      { name: 'X-ZZ', value: '1' },
      { name: 'user-AGENT', value: 't' },
      { name: 'X-zz', value: '2  3' },
      { name: 'X-Empty', value: '' },
      { name: 'X-Obs', value: obs },
      { name: 'X-Quote', value: 'a"b\\c' },
    ]);
    // latin1 decoding means the original bytes survive a round trip (including NBSP 0xA0, which trim() would eat).
    expect(Buffer.from(head.headers[4]!.value, 'latin1')).toEqual(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0xff, 0xa0]));
    expect(p.completed()[0]!.headers).toEqual(head.headers);
  });

  it('accepts bare LF line ends in the head and in trailers', () => {
    const p = setup();
    p.feed('GET /a HTTP/1.1\nHost: x\n\nPOST /b HTTP/1.1\nTransfer-Encoding: chunked\n\n1\r\nz\r\n0\r\nT: v\n\n');
    expect(p.completed().map(normalize)).toEqual([
      {
        method: 'GET',
        target: '/a',
        httpVersion: '1.1',
        headers: [{ name: 'Host', value: 'x' }],
        body: '',
        chunked: false,
        chunks: [],
        trailers: [],
      },
      {
        method: 'POST',
        target: '/b',
        httpVersion: '1.1',
        headers: [{ name: 'Transfer-Encoding', value: 'chunked' }],
        body: 'z',
        chunked: true,
        chunks: [
          { size: 1, extensions: '', offset: 0 },
          { size: 0, extensions: '', offset: 1 },
        ],
        trailers: [{ name: 'T', value: 'v' }],
      },
    ]);
  });

  it('ignores empty lines before a request line (CRLF or bare LF), also between pipelined requests', () => {
    const p = setup();
    p.feed('\r\n\r\n\nGET /a HTTP/1.1\r\n\r\n\r\nPOST /b HTTP/1.1\r\nContent-Length: 1\r\n\r\nx\r\n\r\nGET /c HTTP/1.0\r\n\r\n');
    expect(p.completed().map((r) => r.target)).toEqual(['/a', '/b', '/c']);
    expect(p.faults()).toEqual([]);
  });

  it('accepts identical duplicate Content-Length fields and identical list values', () => {
    for (const fields of [
      'Content-Length: 3\r\nContent-Length: 3\r\n',
      'Content-Length: 3, 3\r\n',
      'Content-Length: 3\r\nContent-Length: 003,3\r\n',
    ]) {
      const p = setup();
      p.feed(`POST / HTTP/1.1\r\n${fields}\r\nabc`);
      expect(p.faults()).toEqual([]);
      expect(p.heads()[0]!.framing).toEqual({ kind: 'length', length: 3 });
      expect(p.completed()[0]!.body.toString()).toBe('abc');
    }
  });

  it('completes a Content-Length: 0 request at once', () => {
    const p = setup();
    p.feed('POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n');
    expect(p.types()).toEqual(['head', 'complete']);
    expect(p.heads()[0]!.framing).toEqual({ kind: 'length', length: 0 });
  });

  it('treats Transfer-Encoding on HTTP/1.0 as faulty framing (RFC 9112 §6.1), never as chunked', () => {
    const p = setup();
    p.feed('POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n');
    expect(p.heads()).toEqual([]);
    expect(p.faults().map((f) => f.fault.kind)).toEqual(['unsupported-transfer-encoding']);
    expect(p.faults()[0]!.fault.detail).toContain('HTTP/1.0');
    expect(p.faults()[0]!.request?.headers).toEqual([{ name: 'Transfer-Encoding', value: 'chunked' }]);
  });

  it('collects declared trailer names from several Trailer fields', () => {
    const p = setup();
    p.feed('GET / HTTP/1.1\r\nTrailer: A ,\tB,,\r\ntrailer: C\r\n\r\n');
    expect(p.heads()[0]!.declaredTrailers).toEqual(['A', 'B', 'C']);
  });
});

describe('RequestParser: connection semantics', () => {
  const cases: Array<[string, string, boolean]> = [
    ['HTTP/1.1', '', true],
    ['HTTP/1.1', 'Connection: close\r\n', false],
    ['HTTP/1.1', 'Connection: CLOSE\r\n', false],
    ['HTTP/1.1', 'Connection: keep-alive\r\n', true],
    ['HTTP/1.1', 'Connection: upgrade, close\r\n', false],
    ['HTTP/1.1', 'Connection: keep-alive\r\nConnection: close\r\n', false],
    ['HTTP/1.0', '', false],
    ['HTTP/1.0', 'Connection: keep-alive\r\n', true],
    ['HTTP/1.0', 'Connection: Keep-Alive\r\n', true],
    ['HTTP/1.0', 'Connection: keep-alive, close\r\n', false],
  ];
  for (const [version, fields, keepAlive] of cases) {
    it(`${version} ${JSON.stringify(fields)} → keepAlive ${keepAlive}`, () => {
      const p = setup();
      p.feed(`GET / ${version}\r\n${fields}\r\n`);
      expect(p.heads()[0]!.keepAlive).toBe(keepAlive);
      expect(p.heads()[0]!.httpVersion).toBe(version.slice(5));
    });
  }

  const expectCases: Array<[string, string, boolean]> = [
    ['HTTP/1.1', 'Expect: 100-continue\r\n', true],
    ['HTTP/1.1', 'Expect: 100-Continue\r\n', true],
    ['HTTP/1.1', 'expect:  100-CONTINUE \r\n', true],
    ['HTTP/1.1', '', false],
    ['HTTP/1.1', 'Expect: 200-ok\r\n', false],
    // RFC 9110 §10.1.1: a 1.0 client cannot receive a 1xx, so the expectation is ignored.
    ['HTTP/1.0', 'Expect: 100-continue\r\n', false],
  ];
  for (const [version, fields, expected] of expectCases) {
    it(`${version} ${JSON.stringify(fields)} → expectContinue ${expected}`, () => {
      const p = setup();
      p.feed(`POST / ${version}\r\nContent-Length: 2\r\n${fields}\r\n`);
      expect(p.heads()[0]!.expectContinue).toBe(expected);
      // The head is announced before any body byte: the server answers 100 Continue from onHead.
      expect(p.types()).toEqual(['head']);
    });
  }
});

describe('RequestParser: arbitrary splitting and pipelining', () => {
  const reference = (() => {
    const p = setup();
    p.feed(PIPELINE);
    return p;
  })();

  it('parses three pipelined requests of every framing from one push', () => {
    expect(reference.faults()).toEqual([]);
    expect(reference.completed().map((r) => `${r.method} ${r.target} ${r.body.toString()}`)).toEqual([
      'POST /2018-06-01/runtime/invocation/abc/response hello world0123456789',
      'POST /2018-06-01/runtime/invocation/abc/error {"a":1}',
      'GET /2018-06-01/runtime/invocation/next ',
    ]);
    expect(reference.parser.idle).toBe(true);
  });

  /** What must not depend on how the bytes were split: recordings, event order (bodies merged) and body bytes. */
  const shape = (p: ReturnType<typeof setup>) => ({
    completed: p.completed().map(normalize),
    events: p.types().filter((t, i, all) => !(t === 'body' && all[i - 1] === 'body')),
    body: p.bodyText(),
    faults: p.faults(),
    heads: p.heads(),
  });

  it('yields an identical recording when split at every byte position', () => {
    const bytes = Buffer.from(PIPELINE, 'latin1');
    const expected = shape(reference);
    for (let i = 1; i < bytes.length; i++) {
      const p = setup();
      p.feed(bytes.subarray(0, i), bytes.subarray(i));
      expect(shape(p), `split at ${i}`).toEqual(expected);
    }
  });

  it('yields an identical recording when fed one byte at a time', () => {
    const bytes = Buffer.from(PIPELINE, 'latin1');
    const p = setup();
    for (let i = 0; i < bytes.length; i++) {
      p.setNow(i);
      p.feed(bytes.subarray(i, i + 1));
    }
    expect(shape(p)).toEqual(shape(reference));
    // One byte per push: each chunk's data arrives at a distinct time, so `at` < `doneAt` for non-empty chunks.
    for (const c of p.completed()[0]!.chunks) {
      if (c.size > 0) expect(c.doneAt).toBeGreaterThan(c.at);
      else expect(c.doneAt).toBe(c.at);
    }
  });

  it('parses pipelined requests across pushes, completing each as soon as its last byte arrives', () => {
    const p = setup();
    p.feed(GET_NEXT + GET_NEXT.slice(0, 20));
    expect(p.completed()).toHaveLength(1);
    expect(p.parser.idle).toBe(false);
    p.feed(GET_NEXT.slice(20) + LENGTH_REQUEST.slice(0, -3));
    expect(p.completed()).toHaveLength(2);
    p.feed(LENGTH_REQUEST.slice(-3));
    expect(p.completed().map((r) => r.method)).toEqual(['GET', 'GET', 'POST']);
    expect(p.completed()[2]!.body.toString()).toBe('{"a":1}');
  });

  it('parses 10,000 pipelined small requests', () => {
    const parts: string[] = [];
    for (let i = 0; i < 10_000; i++) {
      parts.push(
        i % 2 === 0
          ? `GET /next/${i} HTTP/1.1\r\nHost: x\r\n\r\n`
          : `POST /r/${i} HTTP/1.1\r\nHost: x\r\nContent-Length: ${String(i).length}\r\n\r\n${i}`,
      );
    }
    const all = Buffer.from(parts.join(''), 'latin1');
    const p = setup();
    // Socket-sized reads that cut requests anywhere.
    for (let off = 0; off < all.length; off += 65_536) p.feed(all.subarray(off, off + 65_536));
    const done = p.completed();
    expect(p.faults()).toEqual([]);
    expect(done).toHaveLength(10_000);
    for (let i = 0; i < done.length; i += 997) {
      expect(done[i]!.target).toBe(i % 2 === 0 ? `/next/${i}` : `/r/${i}`);
      expect(done[i]!.body.toString()).toBe(i % 2 === 0 ? '' : String(i));
    }
    expect(done[9_999]!.body.toString()).toBe('9999');
    expect(p.parser.idle).toBe(true);
  });

  it('queues bytes pushed from inside an event handler behind the bytes being parsed', () => {
    const seen: string[] = [];
    let nested = false;
    const parser: RequestParser = new RequestParser(
      {
        onHead: (head) => {
          seen.push(`head ${head.target}`);
          if (!nested) {
            nested = true;
            parser.push(Buffer.from('GET /nested HTTP/1.1\r\n\r\n'));
          }
        },
        onBody: () => undefined,
        onComplete: (r) => seen.push(`complete ${r?.target}`),
        onFault: (f) => seen.push(`fault ${f.kind}`),
      },
      () => 0,
    );
    parser.push(Buffer.from('GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n'));
    expect(seen).toEqual(['head /a', 'complete /a', 'head /b', 'complete /b', 'head /nested', 'complete /nested']);
  });
});

describe('RequestParser: framing faults', () => {
  interface FaultCase {
    name: string;
    input: string;
    kind: FramingFaultKind;
    /** Call end() after the input (closed-* faults). */
    end?: boolean;
    limits?: Partial<ParserLimits>;
    /** Whether onFault carries a RecordedRequest (head was complete). */
    withRequest?: boolean;
  }
  const chunkedHead = 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n';
  const post = (fields: string, body = '') => `POST / HTTP/1.1\r\n${fields}\r\n${body}`;
  const cases: FaultCase[] = [
    // Request line.
    { name: 'too few parts', input: 'GET /\r\n', kind: 'bad-request-line' },
    { name: 'double space', input: 'GET  / HTTP/1.1\r\n', kind: 'bad-request-line' },
    { name: 'HTTP/2.0', input: 'GET / HTTP/2.0\r\n', kind: 'bad-request-line' },
    { name: 'lowercase version', input: 'GET / http/1.1\r\n', kind: 'bad-request-line' },
    { name: 'trailing space', input: 'GET / HTTP/1.1 \r\n', kind: 'bad-request-line' },
    { name: 'method not a token', input: 'G(T / HTTP/1.1\r\n', kind: 'bad-request-line' },
    { name: 'control char in target', input: 'GET /a\x01b HTTP/1.1\r\n', kind: 'bad-request-line' },
    { name: 'non-ASCII in target', input: 'GET /caf\xe9 HTTP/1.1\r\n', kind: 'bad-request-line' },
    { name: 'tab in target', input: 'GET /a\tb HTTP/1.1\r\n', kind: 'bad-request-line' },
    { name: 'bare CR inside the request line', input: 'GET / HTTP/1.1\rX\r\n', kind: 'bad-request-line' },
    { name: 'garbage without a line end', input: '{"oops"', kind: 'bad-request-line' },
    { name: 'a lone CR then a byte', input: '\rG', kind: 'bad-request-line' },
    // Beyond a Content-Length body.
    {
      name: 'garbage line after a Content-Length body',
      input: post('Content-Length: 2\r\n', '{}garbage garbage\r\n\r\n'),
      kind: 'body-exceeds-content-length',
    },
    {
      name: 'unterminated garbage after a Content-Length body',
      input: post('Content-Length: 2\r\n', '{}}'),
      kind: 'body-exceeds-content-length',
    },
    {
      name: 'garbage after empty lines after a Content-Length: 0 body',
      input: post('Content-Length: 0\r\n', '\r\n{x}\r\n'),
      kind: 'body-exceeds-content-length',
    },
    {
      name: 'token-like tail and FIN after a Content-Length body',
      input: post('Content-Length: 2\r\n', '{}xyz'),
      kind: 'body-exceeds-content-length',
      end: true,
    },
    // Header fields.
    { name: 'obs-fold', input: 'GET / HTTP/1.1\r\nX-A: 1\r\n  continued\r\n\r\n', kind: 'bad-header' },
    { name: 'whitespace before the first field', input: 'GET / HTTP/1.1\r\n\tX-A: 1\r\n\r\n', kind: 'bad-header' },
    { name: 'space before colon', input: 'GET / HTTP/1.1\r\nContent-Length : 5\r\n\r\n', kind: 'bad-header' },
    { name: 'tab before colon', input: 'GET / HTTP/1.1\r\nHost\t: x\r\n\r\n', kind: 'bad-header' },
    { name: 'NUL in value', input: 'GET / HTTP/1.1\r\nX-A: a\x00b\r\n\r\n', kind: 'bad-header' },
    { name: 'CR in value', input: 'GET / HTTP/1.1\r\nX-A: a\rb\r\n\r\n', kind: 'bad-header' },
    { name: 'CR CR LF line end', input: 'GET / HTTP/1.1\r\nX-A: a\r\r\n\r\n', kind: 'bad-header' },
    { name: 'DEL in value', input: 'GET / HTTP/1.1\r\nX-A: a\x7fb\r\n\r\n', kind: 'bad-header' },
    { name: 'no colon', input: 'GET / HTTP/1.1\r\nX-A\r\n\r\n', kind: 'bad-header' },
    { name: 'empty name', input: 'GET / HTTP/1.1\r\n: v\r\n\r\n', kind: 'bad-header' },
    { name: 'name not a token', input: 'GET / HTTP/1.1\r\nX(A): v\r\n\r\n', kind: 'bad-header' },
    // Limits.
    {
      name: 'header section over maxHeaderBytes',
      input: `GET / HTTP/1.1\r\nX-A: ${'a'.repeat(100)}\r\n\r\n`,
      kind: 'headers-too-large',
      limits: { maxHeaderBytes: 64 },
    },
    {
      name: 'request line over maxHeaderBytes',
      input: `GET /${'a'.repeat(100)} HTTP/1.1\r\n\r\n`,
      kind: 'headers-too-large',
      limits: { maxHeaderBytes: 64 },
    },
    // Found by the fuzzer: the kind once depended on how the line was split across reads.
    {
      name: 'bad byte past maxHeaderBytes in a request line',
      input: `GET /${'a'.repeat(100)}\x00 HTTP/1.1\r\n\r\n`,
      kind: 'headers-too-large',
      limits: { maxHeaderBytes: 64 },
    },
    {
      name: 'bad byte before maxHeaderBytes in a long request line',
      input: `GET /a\x00${'a'.repeat(100)} HTTP/1.1\r\n\r\n`,
      kind: 'bad-request-line',
      limits: { maxHeaderBytes: 64 },
    },
    {
      name: 'unterminated field over maxHeaderBytes',
      input: `GET / HTTP/1.1\r\nX-A: ${'a'.repeat(100)}`,
      kind: 'headers-too-large',
      limits: { maxHeaderBytes: 64 },
    },
    {
      name: 'more fields than maxHeaderCount',
      input: 'GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n',
      kind: 'headers-too-large',
      limits: { maxHeaderCount: 2 },
    },
    // Content-Length.
    { name: 'negative Content-Length', input: post('Content-Length: -5\r\n'), kind: 'bad-content-length', withRequest: true },
    { name: 'plus-signed Content-Length', input: post('Content-Length: +5\r\n'), kind: 'bad-content-length', withRequest: true },
    { name: 'hex Content-Length', input: post('Content-Length: 0x5\r\n'), kind: 'bad-content-length', withRequest: true },
    { name: 'empty Content-Length', input: post('Content-Length: \r\n'), kind: 'bad-content-length', withRequest: true },
    { name: 'Content-Length with inner space', input: post('Content-Length: 1 2\r\n'), kind: 'bad-content-length', withRequest: true },
    {
      name: 'Content-Length with an empty list element',
      input: post('Content-Length: 5,,5\r\n'),
      kind: 'bad-content-length',
      withRequest: true,
    },
    {
      name: 'Content-Length beyond MAX_SAFE_INTEGER',
      input: post('Content-Length: 9007199254740992\r\n'),
      kind: 'bad-content-length',
      withRequest: true,
    },
    {
      name: 'Content-Length of 30 digits',
      input: post(`Content-Length: ${'9'.repeat(30)}\r\n`),
      kind: 'bad-content-length',
      withRequest: true,
    },
    {
      name: 'differing Content-Length fields',
      input: post('Content-Length: 5\r\nContent-Length: 6\r\n'),
      kind: 'conflicting-framing',
      withRequest: true,
    },
    { name: 'differing Content-Length list', input: post('Content-Length: 5, 6\r\n'), kind: 'conflicting-framing', withRequest: true },
    {
      name: 'Content-Length with Transfer-Encoding',
      input: post('Content-Length: 5\r\nTransfer-Encoding: chunked\r\n'),
      kind: 'conflicting-framing',
      withRequest: true,
    },
    // Transfer-Encoding.
    { name: 'TE gzip', input: post('Transfer-Encoding: gzip\r\n'), kind: 'unsupported-transfer-encoding', withRequest: true },
    {
      name: 'TE gzip, chunked',
      input: post('Transfer-Encoding: gzip, chunked\r\n'),
      kind: 'unsupported-transfer-encoding',
      withRequest: true,
    },
    {
      name: 'TE chunked twice',
      input: post('Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n'),
      kind: 'unsupported-transfer-encoding',
      withRequest: true,
    },
    { name: 'TE identity', input: post('Transfer-Encoding: identity\r\n'), kind: 'unsupported-transfer-encoding', withRequest: true },
    { name: 'TE empty', input: post('Transfer-Encoding: \r\n'), kind: 'unsupported-transfer-encoding', withRequest: true },
    // Chunk-size lines.
    { name: 'non-hex chunk size', input: `${chunkedHead}zz\r\nabc\r\n`, kind: 'bad-chunk-size', withRequest: true },
    { name: 'negative chunk size', input: `${chunkedHead}-1\r\n`, kind: 'bad-chunk-size', withRequest: true },
    { name: 'empty chunk-size line', input: `${chunkedHead}\r\n`, kind: 'bad-chunk-size', withRequest: true },
    { name: '0x-prefixed chunk size', input: `${chunkedHead}0x5\r\n`, kind: 'bad-chunk-size', withRequest: true },
    { name: '17 hex digits', input: `${chunkedHead}${'0'.repeat(16)}1\r\n`, kind: 'bad-chunk-size', withRequest: true },
    { name: 'chunk size beyond MAX_SAFE_INTEGER', input: `${chunkedHead}ffffffffffffffff\r\n`, kind: 'bad-chunk-size', withRequest: true },
    { name: 'trailing space after chunk size', input: `${chunkedHead}5 \r\nhello\r\n`, kind: 'bad-chunk-size', withRequest: true },
    { name: 'bare LF after chunk size', input: `${chunkedHead}5\nhello\r\n`, kind: 'bad-chunk-size', withRequest: true },
    { name: 'extension without a name', input: `${chunkedHead}5;=x\r\nhello\r\n`, kind: 'bad-chunk-size', withRequest: true },
    { name: 'unterminated quoted extension', input: `${chunkedHead}5;a="x\r\nhello\r\n`, kind: 'bad-chunk-size', withRequest: true },
    {
      name: 'unterminated chunk-size line over 4096 bytes',
      input: `${chunkedHead}5;a=${'b'.repeat(5000)}`,
      kind: 'bad-chunk-size',
      withRequest: true,
    },
    {
      name: 'chunk-size line over 4096 bytes',
      input: `${chunkedHead}5;a=${'b'.repeat(5000)}\r\n`,
      kind: 'bad-chunk-size',
      withRequest: true,
    },
    // Chunk data terminator.
    {
      name: 'chunk data followed by a byte other than CR',
      input: `${chunkedHead}5\r\nhelloX`,
      kind: 'bad-chunk-terminator',
      withRequest: true,
    },
    {
      name: 'chunk data followed by a bare LF',
      input: `${chunkedHead}5\r\nhello\n0\r\n\r\n`,
      kind: 'bad-chunk-terminator',
      withRequest: true,
    },
    { name: 'chunk data longer than its size', input: `${chunkedHead}3\r\nhello\r\n`, kind: 'bad-chunk-terminator', withRequest: true },
    // Trailers.
    { name: 'trailer with space before colon', input: `${chunkedHead}0\r\nX-T : v\r\n\r\n`, kind: 'bad-trailer', withRequest: true },
    { name: 'obs-fold in trailers', input: `${chunkedHead}0\r\nX-T: v\r\n w\r\n\r\n`, kind: 'bad-trailer', withRequest: true },
    { name: 'NUL in a trailer value', input: `${chunkedHead}0\r\nX-T: \x00\r\n\r\n`, kind: 'bad-trailer', withRequest: true },
    {
      name: 'trailer section over maxTrailerBytes',
      input: `${chunkedHead}0\r\nX-T: ${'v'.repeat(100)}\r\n\r\n`,
      kind: 'bad-trailer',
      limits: { maxTrailerBytes: 50 },
      withRequest: true,
    },
    {
      name: 'unterminated trailer over maxTrailerBytes',
      input: `${chunkedHead}0\r\nX-T: ${'v'.repeat(100)}`,
      kind: 'bad-trailer',
      limits: { maxTrailerBytes: 50 },
      withRequest: true,
    },
    {
      name: 'more trailers than maxHeaderCount',
      input: `POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nA: 1\r\nB: 2\r\n\r\n`,
      kind: 'bad-trailer',
      limits: { maxHeaderCount: 1 },
      withRequest: true,
    },
    // The peer closed mid-message.
    { name: 'FIN inside the request line', input: 'GET / HT', kind: 'closed-mid-head', end: true },
    { name: 'FIN inside the header section', input: 'GET / HTTP/1.1\r\nHost: x\r\n', kind: 'closed-mid-head', end: true },
    { name: 'FIN inside a header line', input: 'GET / HTTP/1.1\r\nHo', kind: 'closed-mid-head', end: true },
    {
      name: 'FIN inside a Content-Length body',
      input: post('Content-Length: 10\r\n', 'abc'),
      kind: 'closed-mid-body',
      end: true,
      withRequest: true,
    },
    {
      name: 'FIN right after the head of a Content-Length body',
      input: post('Content-Length: 10\r\n'),
      kind: 'closed-mid-body',
      end: true,
      withRequest: true,
    },
    { name: 'FIN inside chunk data', input: `${chunkedHead}5\r\nhel`, kind: 'missing-terminal-chunk', end: true, withRequest: true },
    { name: 'FIN between chunks', input: `${chunkedHead}5\r\nhello\r\n`, kind: 'missing-terminal-chunk', end: true, withRequest: true },
    {
      name: 'FIN inside a chunk-size line',
      input: `${chunkedHead}5\r\nhello\r\n1`,
      kind: 'missing-terminal-chunk',
      end: true,
      withRequest: true,
    },
    {
      name: 'FIN before the chunk data CRLF',
      input: `${chunkedHead}5\r\nhello\r`,
      kind: 'missing-terminal-chunk',
      end: true,
      withRequest: true,
    },
    {
      name: 'FIN inside the trailer section',
      input: `${chunkedHead}0\r\nX-T: v\r\n`,
      kind: 'missing-terminal-chunk',
      end: true,
      withRequest: true,
    },
  ];

  for (const c of cases) {
    it(`${c.name} → ${c.kind}`, () => {
      for (const split of ['whole', 'bytewise'] as const) {
        const p = setup({ limits: c.limits });
        p.setNow(42);
        if (split === 'whole') p.feed(c.input);
        else for (const ch of c.input) p.feed(ch);
        if (c.end) p.parser.end();
        const faults = p.faults();
        expect(
          faults.map((f) => f.fault.kind),
          split,
        ).toEqual([c.kind]);
        const f = faults[0]!;
        expect(f.fault.at).toBe(42);
        expect(f.fault.detail.length).toBeGreaterThan(0);
        expect(f.fault.detail.length).toBeLessThan(200);
        expect(f.request !== undefined, `${split}: request passed to onFault`).toBe(c.withRequest === true);
        expect(p.parser.failed).toBe(true);
        expect(p.parser.idle).toBe(false);
        // The fault is the last event: nothing fires after it.
        expect(p.log.at(-1)?.type).toBe('fault');
      }
    });
  }

  it('quotes the offending text, escaped and truncated, in the detail', () => {
    const p = setup();
    p.feed(`GET / HTTP/1.1\r\nX-A: \x00${'z'.repeat(200)}\r\n\r\n`);
    const detail = p.faults()[0]!.fault.detail;
    expect(detail).toContain('\\x00');
    expect(detail).toContain('…');
    expect(detail).not.toContain('\x00');
    expect(detail.length).toBeLessThan(160);

    const q = setup();
    q.feed('POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n');
    expect(q.faults()[0]!.fault.detail).toContain('5, 6');
  });

  it('hands the partial request to onFault: headers, body and chunks so far, no bodyDone', () => {
    const p = setup();
    p.feed('POST /r HTTP/1.1\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\n\r\n5\r\nhello\r\n3\r\nab');
    p.parser.end();
    const [f] = p.faults();
    expect(f!.fault.kind).toBe('missing-terminal-chunk');
    const req = f!.request!;
    expect(req.target).toBe('/r');
    expect(req.headers).toEqual([
      { name: 'Transfer-Encoding', value: 'chunked' },
      { name: 'X-A', value: '1' },
    ]);
    expect(req.body.toString()).toBe('helloab');
    expect(req.chunks.map((c) => [c.size, c.offset])).toEqual([
      [5, 0],
      [3, 5],
    ]);
    expect(req.timing.bodyDone).toBeUndefined();
    // It is the same object that onHead announced, so the server can attach the fault to its exchange.
    const headEv = p.log[0];
    expect(headEv?.type === 'head' && headEv.request).toBe(req);
  });

  it('records the offending head for framing faults found at the end of the header section', () => {
    const p = setup();
    p.feed('POST /r HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n');
    const [f] = p.faults();
    expect(p.types()).toEqual(['fault']); // no onHead: the body cannot be framed
    expect(f!.request?.headers.map((h) => h.name)).toEqual(['Content-Length', 'Transfer-Encoding']);
    expect(f!.request?.body.length).toBe(0);
  });

  it('reports a huge header section arriving in tiny pushes as soon as it passes the limit', () => {
    const p = setup();
    p.feed('GET / HTTP/1.1\r\nX-Big: ');
    let pushed = 0;
    for (let i = 0; i < 200_000 && !p.parser.failed; i++) {
      p.feed('a');
      pushed++;
    }
    expect(p.faults().map((f) => f.fault.kind)).toEqual(['headers-too-large']);
    // 65536 bytes including the 24 already sent: the fault comes at the first byte over the limit.
    expect(pushed).toBe(65_536 - 'GET / HTTP/1.1\r\nX-Big: '.length + 1);
  });

  it('reports many small header fields without a final empty line once they pass the limit', () => {
    const p = setup();
    p.feed('GET / HTTP/1.1\r\n');
    for (let i = 0; i < 100_000 && !p.parser.failed; i++) p.feed(`X-${i}: v\r\n`);
    expect(p.faults().map((f) => f.fault.kind)).toEqual(['headers-too-large']);
  });

  it('counts request line, fields and the final empty line against maxHeaderBytes', () => {
    const head = 'GET / HTTP/1.1\r\nHost: x\r\n\r\n';
    const ok = setup({ limits: { maxHeaderBytes: head.length } });
    ok.feed(head);
    expect(ok.faults()).toEqual([]);
    expect(ok.completed()).toHaveLength(1);
    const over = setup({ limits: { maxHeaderBytes: head.length - 1 } });
    over.feed(head);
    expect(over.faults().map((f) => f.fault.kind)).toEqual(['headers-too-large']);
  });

  it('accepts exactly maxHeaderCount fields', () => {
    const p = setup({ limits: { maxHeaderCount: 3 } });
    p.feed('GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n');
    expect(p.faults()).toEqual([]);
    expect(p.heads()[0]!.headers).toHaveLength(3);
  });

  it('accepts a valid request right after a complete Content-Length body', () => {
    const p = setup();
    p.feed('POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}GET / HTTP/1.1\r\n\r\n');
    expect(p.faults()).toEqual([]);
    expect(p.completed().map((r) => r.method)).toEqual(['POST', 'GET']);
  });

  it('reports bad-request-line (not body-exceeds) for garbage after a body-less or chunked request', () => {
    for (const first of ['GET / HTTP/1.1\r\n\r\n', 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n']) {
      const p = setup();
      p.feed(`${first}{garbage}\r\n`);
      expect(p.faults().map((f) => f.fault.kind)).toEqual(['bad-request-line']);
    }
  });

  it('fails on the first byte of garbage without waiting for a line end', () => {
    const p = setup();
    p.feed('POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}');
    expect(p.completed()).toHaveLength(1);
    p.feed('}');
    expect(p.faults().map((f) => f.fault.kind)).toEqual(['body-exceeds-content-length']);
    // A plausible request prefix, by contrast, waits for more bytes.
    const q = setup();
    q.feed('GET /2018-06-01/runtime/invocation/next HTTP/1.');
    expect(q.faults()).toEqual([]);
    expect(q.parser.idle).toBe(false);
  });
});

describe('RequestParser: end()', () => {
  const clean: Array<[string, string]> = [
    ['a fresh parser', ''],
    ['after a complete request', GET_NEXT],
    ['after pipelined complete requests', PIPELINE],
    ['after only empty lines', '\r\n\n\r\n'],
    ['after the CR of an empty line', '\r\n\r'],
  ];
  for (const [name, input] of clean) {
    it(`is a clean close ${name}`, () => {
      const p = setup();
      p.feed(input);
      const before = p.log.length;
      expect(p.parser.idle).toBe(true);
      p.parser.end();
      expect(p.log.length).toBe(before);
      expect(p.faults()).toEqual([]);
      expect(p.parser.failed).toBe(false);
    });
  }

  it('ignores bytes pushed after end() and a second end()', () => {
    const p = setup();
    p.parser.end();
    p.feed(GET_NEXT);
    p.parser.end();
    expect(p.log).toEqual([]);
  });

  it('reports closed-mid-head only once and carries no request', () => {
    const p = setup();
    p.feed('GET / HTTP/1.1\r\nHo');
    p.parser.end();
    p.parser.end();
    expect(p.faults()).toHaveLength(1);
    expect(p.faults()[0]!.request).toBeUndefined();
  });
});

describe('RequestParser: after a fault', () => {
  it('ignores further pushes and end(); no events fire', () => {
    const p = setup();
    p.feed('GET / HTTP/1.1\r\nBad Header: x\r\n\r\n');
    expect(p.types()).toEqual(['fault']);
    p.feed(GET_NEXT);
    p.feed(CHUNKED_REQUEST);
    p.parser.end();
    expect(p.types()).toEqual(['fault']);
    expect(p.parser.failed).toBe(true);
  });

  it('stops mid-buffer: requests after the faulty one in the same push are not parsed', () => {
    const p = setup();
    p.feed(`${GET_NEXT}POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n${GET_NEXT}`);
    expect(p.types()).toEqual(['head', 'complete', 'fault']);
  });
});

describe('RequestParser: record: false', () => {
  it('fires every event with undefined requests and still streams the body', () => {
    const p = setup({ record: false });
    p.feed(CHUNKED_REQUEST.slice(0, 300));
    p.feed(CHUNKED_REQUEST.slice(300));
    p.feed(LENGTH_REQUEST);
    const heads = p.log.filter((e) => e.type === 'head');
    const completes = p.log.filter((e) => e.type === 'complete');
    expect(heads).toHaveLength(2);
    expect(completes).toHaveLength(2);
    for (const e of [...heads, ...completes]) expect(e.request).toBeUndefined();
    expect(p.bodyText()).toBe('hello world0123456789{"a":1}');
    expect(p.log.flatMap((e) => (e.type === 'chunk' ? [e.chunk.size] : []))).toEqual([6, 5, 10, 0]);
    const trailersEv = p.log.find((e) => e.type === 'trailers');
    expect(trailersEv?.type === 'trailers' && trailersEv.trailers.map((t) => t.value)).toEqual(['Probe.Mid', 'Zm9v']);
    expect(p.heads()[0]!.declaredTrailers).toHaveLength(2);
  });

  it('reports faults with an undefined request', () => {
    const p = setup({ record: false });
    p.feed('POST / HTTP/1.1\r\nContent-Length: 9\r\n\r\nabc');
    p.parser.end();
    expect(p.faults().map((f) => [f.fault.kind, f.request])).toEqual([['closed-mid-body', undefined]]);
  });
});
