/**
 * Generated inputs for the Invoke front's fuzzer (harness/invoke/front.fuzz.test.ts): well-behaved Invoke requests,
 * and hostile inputs that each know the answer they must get — HTTP's for broken framing (400, 431, closed), Lambda's
 * for a well-framed request it refuses (413, 404, 400 with the error type) or none when the client leaves early.
 */
import fc from 'fast-check';

/** The front's bounds under the fuzzer: small, so the over-limit inputs stay cheap. */
export const FUZZ_FRONT_LIMITS = { maxHeadBytes: 4_096, maxBodyBytes: 2_048, maxDiscardBytes: 8_192 } as const;
export const FUZZ_FUNCTION = 'fuzz';

/** What a hostile input must cause. */
export interface FrontFault {
  /** Status of the one answer. */
  status: number;
  /** Lambda's X-Amzn-Errortype of that answer (absent for HTTP-level refusals). */
  errorType?: string;
  /** The server answers and closes the connection without waiting for the client's FIN. */
  closes: boolean;
}

export interface HostileInput {
  kind: string;
  bytes: Buffer;
  expect: FrontFault;
}

export interface GoodInvoke {
  bytes: Buffer;
  /** The exact body the echoing function must answer with. */
  payload: Buffer;
}

const alnum = fc.stringMatching(/^[A-Za-z0-9]{1,12}$/);
const INVOKE_PATH = `/2015-03-31/functions/${FUZZ_FUNCTION}/invocations`;

/** Random header-name casing, as clients differ. */
const casing = (name: string) =>
  fc
    .array(fc.boolean(), { minLength: name.length, maxLength: name.length })
    .map((up) => [...name].map((c, i) => (up[i] ? c.toUpperCase() : c.toLowerCase())).join(''));

function request(head: string, body: Buffer | string = ''): Buffer {
  return Buffer.concat([Buffer.from(head, 'latin1'), Buffer.isBuffer(body) ? body : Buffer.from(body, 'latin1')]);
}

/** A valid Invoke of the fuzz function, its payload tagged with `id` so the test can tell whose it is. */
export function goodInvokeArb(id: () => number): fc.Arbitrary<GoodInvoke> {
  return fc
    .record({
      value: fc.jsonValue({ maxDepth: 3 }),
      name: fc.constantFrom(
        FUZZ_FUNCTION,
        `${FUZZ_FUNCTION}:$LATEST`,
        `arn:aws:lambda:us-east-1:123456789012:function:${FUZZ_FUNCTION}`,
        `123456789012:function:${FUZZ_FUNCTION}`,
      ),
      host: casing('host'),
      length: casing('content-length'),
      tail: fc.boolean(),
      type: fc.constantFrom(undefined, 'RequestResponse'),
    })
    .map((r) => {
      const payload = Buffer.from(JSON.stringify({ id: id(), value: r.value }));
      const extra = `${r.tail ? 'X-Amz-Log-Type: Tail\r\n' : ''}${r.type ? `X-Amz-Invocation-Type: ${r.type}\r\n` : ''}`;
      const path = `/2015-03-31/functions/${encodeURIComponent(r.name)}/invocations`;
      return {
        payload,
        bytes: request(`POST ${path} HTTP/1.1\r\n${r.host}: 127.0.0.1\r\n${extra}${r.length}: ${payload.length}\r\n\r\n`, payload),
      };
    });
}

const closes400: FrontFault = { status: 400, closes: true };

/** Request lines no HTTP/1.1 parser may accept. */
const badRequestLine = fc
  .tuple(
    fc.constantFrom(
      '\x16\x03\x01',
      'GETX',
      'PRI * HTTP/2.0',
      ' POST /',
      'POST / HTTP/1.7',
      'POST / HTTP/1.1 x',
      'P\x00ST / HTTP/1.1',
      'POST /a b HTTP/1.1',
      'POST / HTTP/1.1\x7f',
    ),
    alnum,
  )
  .map(([line, tail]): HostileInput => ({
    kind: 'bad-request-line',
    bytes: request(`${line}${tail}\r\nHost: x\r\n\r\n`),
    expect: closes400,
  }));

const ctl = fc.constantFrom(...[0, 1, 2, 7, 8, 0x0e, 0x10, 0x1b, 0x1f, 0x7f].map((c) => String.fromCharCode(c)));
const badHeader = fc
  .oneof(
    fc.tuple(alnum, fc.constantFrom(' ', '(', '@', '\x00', '"', '/'), alnum).map(([a, bad, b]) => `${a}${bad}${b}: v`),
    fc.tuple(alnum, ctl, alnum).map(([a, bad, b]) => `X-Fuzz: ${a}${bad}${b}`),
    alnum.map((a) => ` ${a}: folded`),
    alnum.map((a) => `${a}`),
  )
  .map((line): HostileInput => ({
    kind: 'bad-header',
    bytes: request(`POST ${INVOKE_PATH} HTTP/1.1\r\nHost: x\r\n${line}\r\nContent-Length: 2\r\n\r\n{}`),
    expect: closes400,
  }));

const headTooLarge = fc
  .integer({ min: FUZZ_FRONT_LIMITS.maxHeadBytes + 1, max: FUZZ_FRONT_LIMITS.maxHeadBytes * 2 })
  .map((n): HostileInput => ({
    kind: 'head-too-large',
    bytes: request(`POST ${INVOKE_PATH} HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(n)}\r\n\r\n`),
    expect: { status: 431, closes: true },
  }));

const conflictingFraming = fc
  .constantFrom(
    'Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    'Transfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n0\r\n\r\n',
    'Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}x',
    'Content-Length: 2, 3\r\n\r\n{}x',
    'Content-Length: -2\r\n\r\n{}',
    'Content-Length: 0x2\r\n\r\n{}',
    'Transfer-Encoding: gzip\r\n\r\n{}',
    'Transfer-Encoding: chunked, gzip\r\n\r\n{}',
  )
  .map((framing): HostileInput => ({
    kind: 'conflicting-framing',
    bytes: request(`POST ${INVOKE_PATH} HTTP/1.1\r\nHost: x\r\n${framing}`),
    expect: closes400,
  }));

const badChunk = fc
  .constantFrom('zz\r\n{}\r\n0\r\n\r\n', '-1\r\n{}\r\n0\r\n\r\n', '0x2\r\n{}\r\n0\r\n\r\n', '2\r\n{}XX0\r\n\r\n', '2 2\r\n{}\r\n0\r\n\r\n')
  .map((chunks): HostileInput => ({
    kind: 'bad-chunk',
    bytes: request(`POST ${INVOKE_PATH} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n${chunks}`),
    expect: closes400,
  }));

const bodyTooLarge = fc
  .integer({ min: FUZZ_FRONT_LIMITS.maxBodyBytes + 1, max: FUZZ_FRONT_LIMITS.maxDiscardBytes * 2 })
  .map((n): HostileInput => ({
    kind: 'body-too-large',
    bytes: request(`POST ${INVOKE_PATH} HTTP/1.1\r\nHost: x\r\nContent-Length: ${n}\r\n\r\n`, Buffer.alloc(n, 0x31)),
    // Past the discard allowance the front stops reading and closes after its answer.
    expect: { status: 413, errorType: 'RequestEntityTooLargeException', closes: n > FUZZ_FRONT_LIMITS.maxDiscardBytes },
  }));

const lambdaRefusal = (kind: string, status: number, errorType: string, head: string, body: string): HostileInput => ({
  kind,
  bytes: request(`${head}Content-Length: ${Buffer.byteLength(body, 'latin1')}\r\n\r\n`, body),
  expect: { status, errorType, closes: false },
});

const invalidJson = fc
  .oneof(
    fc.constantFrom('{', '{"a":}', 'nul', '[1,]', '\x00', "{'a':1}", '{"a":1}}', '\xff\xfe'),
    alnum.filter((s) => !/^\d/.test(s) && !['true', 'false', 'null'].includes(s)),
  )
  .map((body) => lambdaRefusal('invalid-json', 400, 'InvalidRequestContentException', `POST ${INVOKE_PATH} HTTP/1.1\r\nHost: x\r\n`, body));

const unknownOperation = fc
  .oneof(
    alnum.map((s) => `POST /${s} HTTP/1.1\r\n`),
    alnum.filter((s) => s !== 'invocations').map((s) => `POST /2015-03-31/functions/${FUZZ_FUNCTION}/${s} HTTP/1.1\r\n`),
    fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH').map((m) => `${m} ${INVOKE_PATH} HTTP/1.1\r\n`),
    alnum.map((s) => `POST /2021-11-15/functions/${FUZZ_FUNCTION}/invocations/${s} HTTP/1.1\r\n`),
  )
  .map((line) => lambdaRefusal('unknown-operation', 404, 'UnknownOperationException', `${line}Host: x\r\n`, '{}'));

const unknownFunction = fc
  .oneof(
    alnum.filter((s) => s !== FUZZ_FUNCTION && s !== 'function'),
    fc.constantFrom(
      `${FUZZ_FUNCTION}:v2`,
      `${FUZZ_FUNCTION}:`,
      'a:b:c',
      'arn:aws:lambda:x',
      `arn:aws:s3:us-east-1:1:function:${FUZZ_FUNCTION}`,
      '%E0%A4%A',
      '..',
      'fu%20zz',
    ),
  )
  .map((name) =>
    lambdaRefusal(
      'unknown-function',
      404,
      'ResourceNotFoundException',
      `POST /2015-03-31/functions/${name}/invocations HTTP/1.1\r\nHost: x\r\n`,
      '{}',
    ),
  );

const badInvocationType = alnum
  .filter((s) => !['RequestResponse', 'Event', 'DryRun'].includes(s))
  .map((t) =>
    lambdaRefusal(
      'bad-invocation-type',
      400,
      'InvalidParameterValueException',
      `POST ${INVOKE_PATH} HTTP/1.1\r\nHost: x\r\nX-Amz-Invocation-Type: ${t}\r\n`,
      '{}',
    ),
  );

const badClientContext = fc
  .constantFrom(
    '!!!',
    Buffer.from('[1]').toString('base64'),
    Buffer.from('"x"').toString('base64'),
    Buffer.from('{"a":').toString('base64'),
    'e30===',
    Buffer.from([0xff, 0xfe]).toString('base64'),
  )
  .map((c) =>
    lambdaRefusal(
      'bad-client-context',
      400,
      'InvalidRequestContentException',
      `POST ${INVOKE_PATH} HTTP/1.1\r\nHost: x\r\nX-Amz-Client-Context: ${c}\r\n`,
      '{}',
    ),
  );

/**
 * The client leaves (FIN) before its request is complete: no invocation, and a 400 on the half-closed connection
 * (Node's parser at end of input), whether the head or the body was cut short.
 */
const truncated = fc.oneof(
  fc.integer({ min: 1, max: 40 }).map((n): HostileInput => {
    const head = `POST ${INVOKE_PATH} HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n`;
    return {
      kind: 'truncated-head',
      bytes: Buffer.from(head.slice(0, Math.min(n, head.length - 4)), 'latin1'),
      expect: { status: 400, closes: false },
    };
  }),
  fc.integer({ min: 0, max: 100 }).map((n): HostileInput => ({
    kind: 'truncated-body',
    bytes: request(`POST ${INVOKE_PATH} HTTP/1.1\r\nHost: x\r\nContent-Length: ${n + 10}\r\n\r\n`, Buffer.alloc(n, 0x20)),
    expect: { status: 400, closes: false },
  })),
);

export const hostileInputArb: fc.Arbitrary<HostileInput> = fc.oneof(
  badRequestLine,
  badHeader,
  headTooLarge,
  conflictingFraming,
  badChunk,
  bodyTooLarge,
  invalidJson,
  unknownOperation,
  unknownFunction,
  badInvocationType,
  badClientContext,
  truncated,
);

/** TCP write sizes: whole, byte-sized pieces, or larger ones (so an 8 KiB body is not 8,000 writes). */
export const frontSplitArb = fc.oneof(
  fc.constant([] as number[]),
  fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 8 }),
  fc.array(fc.integer({ min: 256, max: 4_096 }), { minLength: 1, maxLength: 4 }),
);

export function splitForWrites(bytes: Buffer, sizes: readonly number[]): Buffer[] {
  // Tiny pieces only for short inputs: the point is split heads, not thousands of writes.
  const usable = bytes.length > 2_048 && sizes.every((n) => n < 256) ? [] : sizes;
  if (usable.length === 0 || bytes.length === 0) return [bytes];
  const pieces: Buffer[] = [];
  for (let off = 0, i = 0; off < bytes.length; i++) {
    const n = usable[i % usable.length]!;
    pieces.push(bytes.subarray(off, off + n));
    off += n;
  }
  return pieces;
}

/** A response read off the wire (Content-Length framed, as the front's buffered answers are). */
export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** Every complete response in `bytes`, in order; `rest` is what is left (a partial response). */
export function parseResponses(bytes: Buffer): { responses: WireResponse[]; rest: number } {
  const responses: WireResponse[] = [];
  let off = 0;
  for (let guard = 0; guard < 10_000; guard++) {
    const end = bytes.indexOf('\r\n\r\n', off, 'latin1');
    if (end < 0) break;
    const lines = bytes.subarray(off, end).toString('latin1').split('\r\n');
    const status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(lines[0] ?? '')?.[1] ?? NaN);
    const headers: Record<string, string> = {};
    for (const l of lines.slice(1)) {
      const i = l.indexOf(':');
      if (i > 0) headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
    }
    const length = Number(headers['content-length'] ?? 0);
    if (end + 4 + length > bytes.length) break;
    responses.push({ status, headers, body: bytes.subarray(end + 4, end + 4 + length) });
    off = end + 4 + length;
  }
  return { responses, rest: bytes.length - off };
}
