/**
 * fast-check generators of HTTP/1.1 requests to the Runtime API: valid ones that know the recording they must
 * produce, adversarial ones that know the framing fault they must produce, mutations of valid ones, and ways to
 * split any of them across reads.
 */
import fc from 'fast-check';
import type { ParserLimits } from '../../fake-runtime-api/http-parser.ts';
import type { FramingFaultKind, RecordedHeader } from '../../model/recording.ts';
import { DEFAULT_PARSER_LIMITS, type NormalHead, type NormalRequest } from './reference-parser.ts';

/** One header or trailer field line as sent. */
export interface GenField {
  name: string;
  /** The value the recording must show (OWS trimmed). */
  value: string;
  /** Text after the colon as sent (value with its OWS). */
  raw: string;
  /** Line end: CRLF, or a bare LF (accepted in field sections). */
  eol: string;
}

export interface GenChunk {
  /** Hex size as sent (any case, leading zeros). */
  sizeText: string;
  /** Whitespace before the first `;` (BWS). */
  bws: string;
  /** Extensions verbatim after the first `;` ('' = no `;` at all). */
  ext: string;
  data: Buffer;
}

export type GenBody =
  | { kind: 'none' }
  | { kind: 'length'; data: Buffer }
  | { kind: 'chunked'; chunks: GenChunk[]; last: Omit<GenChunk, 'data'>; trailers: GenField[]; trailerEnd: string };

/** A valid request, framing fields included among `fields`. */
export interface GenRequest {
  /** Empty lines before the request line (ignored by the parser). */
  leading: string;
  method: string;
  target: string;
  version: '1.0' | '1.1';
  requestEol: string;
  fields: GenField[];
  headEnd: string;
  body: GenBody;
}

export interface RequestOptions {
  /** Leave out GET /invocation/next (which parks on a server with no event queued). */
  avoidNext?: boolean;
  /** Leave out `Connection: close` (a server closes after answering it). */
  avoidClose?: boolean;
}

const latin1 = (s: string): Buffer => Buffer.from(s, 'latin1');
const TCHARS = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const API = '/2018-06-01/runtime';

const charFrom = (chars: string) => fc.constantFrom(...chars.split(''));
const stringOf = (chars: fc.Arbitrary<string>, min: number, max: number) => fc.string({ unit: chars, minLength: min, maxLength: max });

export const tokenArb = stringOf(charFrom(TCHARS), 1, 12);

/** Random case of a known name, so case-insensitive matching is exercised. */
const randomCase = (name: string) =>
  fc.array(fc.boolean(), { minLength: name.length, maxLength: name.length }).map((up) =>
    name
      .split('')
      .map((c, i) => (up[i] ? c.toUpperCase() : c.toLowerCase()))
      .join(''),
  );

const requestIdArb = fc.oneof(fc.uuid(), stringOf(charFrom('abcdef0123456789-%2F'), 0, 20));
const visibleArb = fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c));

const targetArb = (options: RequestOptions) =>
  fc
    .tuple(
      fc.oneof(
        ...(options.avoidNext ? [] : [fc.constant(`${API}/invocation/next`)]),
        requestIdArb.map((id) => `${API}/invocation/${id}/response`),
        requestIdArb.map((id) => `${API}/invocation/${id}/error`),
        fc.constant(`${API}/init/error`),
        fc.constant('*'),
        fc.constant('http://127.0.0.1:9001/2018-06-01/runtime/invocation/next'),
        stringOf(visibleArb, 0, 30).map((p) => `/${p}`),
      ),
      fc.option(stringOf(visibleArb, 0, 12), { nil: undefined }),
    )
    .map(([path, query]) => (query === undefined ? path : `${path}?${query}`));

const methodArb = fc.oneof(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'), tokenArb);

const owsArb = stringOf(fc.constantFrom(' ', '\t'), 0, 3);
const eolArb = fc.oneof({ weight: 9, arbitrary: fc.constant('\r\n') }, { weight: 1, arbitrary: fc.constant('\n') });

/** field-value: VCHAR / obs-text with SP and HTAB only inside. */
const valueCharArb = fc.oneof(
  { weight: 8, arbitrary: visibleArb },
  { weight: 1, arbitrary: fc.integer({ min: 0x80, max: 0xff }).map((c) => String.fromCharCode(c)) },
);
export const fieldValueArb = fc
  .tuple(
    stringOf(valueCharArb, 0, 20),
    fc.array(fc.tuple(stringOf(fc.constantFrom(' ', '\t'), 1, 2), stringOf(valueCharArb, 1, 10)), { maxLength: 3 }),
  )
  .map(([first, rest]) => (first === '' && rest.length > 0 ? 'x' : first) + rest.map(([w, v]) => w + v).join(''));

const field = (name: fc.Arbitrary<string>, value: fc.Arbitrary<string>): fc.Arbitrary<GenField> =>
  fc.record({ name, value, lead: owsArb, trail: owsArb, eol: eolArb }).map(({ name, value, lead, trail, eol }) => ({
    name,
    value,
    raw: lead + value + trail,
    eol,
  }));

const FRAMING_NAMES = new Set(['content-length', 'transfer-encoding']);
const ordinaryNameArb = fc
  .oneof(
    fc.constantFrom(
      'Host',
      'User-Agent',
      'Content-Type',
      'Accept',
      'Lambda-Runtime-Function-Error-Type',
      'Lambda-Runtime-Function-Response-Mode',
      'Lambda-Runtime-Function-Error-Body',
      'X-Amzn-Trace-Id',
    ),
    tokenArb,
  )
  .filter((n) => !FRAMING_NAMES.has(n.toLowerCase()) && !['connection', 'expect', 'trailer'].includes(n.toLowerCase()));

const connectionArb = (options: RequestOptions) =>
  field(
    randomCase('Connection'),
    fc
      .array(
        fc.constantFrom(
          ...(options.avoidClose
            ? ['keep-alive', 'Keep-Alive', 'Upgrade', 'TE']
            : ['close', 'CLOSE', 'keep-alive', 'Keep-Alive', 'Upgrade', 'TE']),
        ),
        {
          minLength: 1,
          maxLength: 3,
        },
      )
      .map((t) => t.join(', ')),
  );
const expectArb = field(randomCase('Expect'), fc.constantFrom('100-continue', '100-Continue', '100-CONTINUE', 'something-else'));
const trailerDeclArb = field(
  randomCase('Trailer'),
  fc.constantFrom('Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body', 'X-Checksum', ''),
);

const ordinaryFieldsArb = (options: RequestOptions) =>
  fc.array(
    fc.oneof(
      { weight: 8, arbitrary: field(ordinaryNameArb, fieldValueArb) },
      { weight: 1, arbitrary: connectionArb(options) },
      { weight: 1, arbitrary: expectArb },
      { weight: 1, arbitrary: trailerDeclArb },
    ),
    { maxLength: 6 },
  );

const bodyBytesArb = (max: number) =>
  fc.oneof(
    fc.uint8Array({ maxLength: max }).map((a) => Buffer.from(a)),
    // Bodies that look like HTTP: a parser that over- or under-reads would take them for the next request.
    fc.constantFrom('GET / HTTP/1.1\r\n\r\n', '0\r\n\r\n', '\r\n', '{"probe":"echo"}').map(latin1),
  );

const hexArb = (n: number) =>
  fc.tuple(fc.nat({ max: 2 }), fc.boolean()).map(([zeros, upper]) => {
    const hex = n.toString(16);
    return '0'.repeat(zeros) + (upper ? hex.toUpperCase() : hex);
  });

const quotedArb = stringOf(fc.oneof(fc.constantFrom('a', ';', ' ', '=', '\t', ','), fc.constantFrom('\\"', '\\\\', '\\x')), 0, 6).map(
  (s) => `"${s}"`,
);
const extItemArb = fc
  .tuple(owsArb, tokenArb, fc.option(fc.tuple(owsArb, owsArb, fc.oneof(tokenArb, quotedArb)), { nil: undefined }))
  .map(([ws, name, v]) => `${ws}${name}${v === undefined ? '' : `${v[0]}=${v[1]}${v[2]}`}`);
/** chunk-ext as recorded: the text after the first `;` (BWS ";" BWS name [BWS "=" BWS value]) ... */
export const chunkExtArb = fc.oneof(
  { weight: 3, arbitrary: fc.constant('') },
  {
    weight: 2,
    arbitrary: fc
      .array(fc.tuple(owsArb, extItemArb), { minLength: 1, maxLength: 3 })
      .map((items) => items.map(([ws, item], i) => (i === 0 ? item : `${ws};${item}`)).join('')),
  },
);

const chunkArb: fc.Arbitrary<GenChunk> = fc
  .record({ data: fc.uint8Array({ minLength: 1, maxLength: 40 }).map((a) => Buffer.from(a)), ext: chunkExtArb, bws: owsArb })
  .chain(({ data, ext, bws }) => hexArb(data.length).map((sizeText) => ({ sizeText, ext, bws: ext === '' ? '' : bws, data })));

const chunkedBodyArb: fc.Arbitrary<GenBody> = fc.record({
  kind: fc.constant('chunked' as const),
  chunks: fc.array(chunkArb, { maxLength: 4 }),
  last: fc.record({ sizeText: fc.constantFrom('0', '00', '000'), ext: chunkExtArb, bws: fc.constant('') }),
  trailers: fc.array(field(ordinaryNameArb, fieldValueArb), { maxLength: 3 }),
  trailerEnd: eolArb,
});

/** Content-Length fields for `n` bytes: one field, identical duplicates, or an identical list. */
const contentLengthFieldsArb = (n: number) =>
  fc.oneof(
    { weight: 6, arbitrary: field(randomCase('Content-Length'), fc.constant(String(n))).map((f) => [f]) },
    {
      weight: 1,
      arbitrary: fc.tuple(
        field(randomCase('Content-Length'), fc.constant(String(n))),
        field(randomCase('Content-Length'), fc.constant(`0${n}`)),
      ),
    },
    { weight: 1, arbitrary: field(randomCase('Content-Length'), fc.constant(`${n}, ${n}`)).map((f) => [f]) },
  );
const teFieldArb = field(randomCase('Transfer-Encoding'), fc.constantFrom('chunked', 'Chunked', 'CHUNKED', ', chunked', 'chunked ,'));

/** Insert `extra` fields at random positions among `fields`. */
const interleave = (fields: GenField[], extra: GenField[]) =>
  fc.array(fc.nat(), { minLength: extra.length, maxLength: extra.length }).map((positions) => {
    const out = [...fields];
    extra.forEach((f, i) => out.splice(positions[i]! % (out.length + 1), 0, f));
    return out;
  });

export const requestArb = (options: RequestOptions = {}): fc.Arbitrary<GenRequest> =>
  fc
    .record({
      leading: fc.oneof({ weight: 9, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom('\r\n', '\n', '\r\n\r\n') }),
      method: methodArb,
      target: targetArb(options),
      version: fc.oneof({ weight: 9, arbitrary: fc.constant('1.1' as const) }, { weight: 1, arbitrary: fc.constant('1.0' as const) }),
      requestEol: eolArb,
      fields: ordinaryFieldsArb(options),
      headEnd: eolArb,
      body: fc.oneof(
        fc.constant({ kind: 'none' } as GenBody),
        bodyBytesArb(120).map((data): GenBody => ({ kind: 'length', data })),
        chunkedBodyArb,
      ),
    })
    .chain((r) => {
      // Transfer-Encoding in an HTTP/1.0 request is faulty framing (RFC 9112 §6.1): valid 1.0 requests use a length.
      const body: GenBody = r.body.kind === 'chunked' && r.version === '1.0' ? { kind: 'none' } : r.body;
      const framing =
        body.kind === 'length'
          ? contentLengthFieldsArb(body.data.length)
          : body.kind === 'chunked'
            ? teFieldArb.map((f) => [f])
            : fc.constant([] as GenField[]);
      return framing.chain((extra) => interleave(r.fields, extra)).map((fields) => ({ ...r, body, fields }));
    });

export const pipelineArb = (options: RequestOptions = {}, maxLength = 3) => fc.array(requestArb(options), { minLength: 1, maxLength });

const fieldLine = (f: GenField) => `${f.name}:${f.raw}${f.eol}`;
const chunkLine = (c: Omit<GenChunk, 'data'>) => `${c.sizeText}${c.ext === '' ? '' : `${c.bws};${c.ext}`}\r\n`;

export function serializeHead(r: GenRequest): Buffer {
  return latin1(`${r.leading}${r.method} ${r.target} HTTP/${r.version}${r.requestEol}${r.fields.map(fieldLine).join('')}${r.headEnd}`);
}

export function serializeBody(body: GenBody): Buffer {
  if (body.kind === 'none') return Buffer.alloc(0);
  if (body.kind === 'length') return body.data;
  const parts: Buffer[] = [];
  for (const c of body.chunks) parts.push(latin1(chunkLine(c)), c.data, latin1('\r\n'));
  parts.push(latin1(chunkLine(body.last) + body.trailers.map(fieldLine).join('') + body.trailerEnd));
  return Buffer.concat(parts);
}

export function serializeRequest(r: GenRequest): Buffer {
  return Buffer.concat([serializeHead(r), serializeBody(r.body)]);
}

export function serializePipeline(rs: GenRequest[]): Buffer {
  return Buffer.concat(rs.map(serializeRequest));
}

const recorded = (fields: GenField[]): RecordedHeader[] => fields.map((f) => ({ name: f.name, value: f.value }));
const listOf = (fields: GenField[], name: string) =>
  fields
    .filter((f) => f.name.toLowerCase() === name)
    .flatMap((f) => f.value.split(','))
    .map((e) => e.trim())
    .filter((e) => e !== '');

/** The recording the generator meant: what any conforming parser must make of `r`. */
export function intended(r: GenRequest): { request: NormalRequest; head: NormalHead } {
  const body = r.body;
  let bodyText = '';
  const chunks: NormalRequest['chunks'] = [];
  if (body.kind === 'length') bodyText = body.data.toString('latin1');
  if (body.kind === 'chunked') {
    for (const c of body.chunks) {
      chunks.push({ size: c.data.length, extensions: c.ext, offset: bodyText.length });
      bodyText += c.data.toString('latin1');
    }
    chunks.push({ size: 0, extensions: body.last.ext, offset: bodyText.length });
  }
  const connection = listOf(r.fields, 'connection').map((t) => t.toLowerCase());
  return {
    request: {
      method: r.method,
      target: r.target,
      httpVersion: r.version,
      headers: recorded(r.fields),
      body: bodyText,
      chunked: body.kind === 'chunked',
      chunks,
      trailers: body.kind === 'chunked' ? recorded(body.trailers) : [],
    },
    head: {
      keepAlive: !connection.includes('close') && (r.version === '1.1' || connection.includes('keep-alive')),
      expectContinue: r.version === '1.1' && listOf(r.fields, 'expect').some((e) => e.toLowerCase() === '100-continue'),
      declaredTrailers: listOf(r.fields, 'trailer'),
    },
  };
}

// --- splitting -------------------------------------------------------------------------------------------------

/** How to cut a byte stream into reads: piece sizes used in turn ([] = one read, [1] = byte by byte). */
export const splitArb = fc.oneof(
  { weight: 1, arbitrary: fc.constant([] as number[]) },
  { weight: 1, arbitrary: fc.constant([1]) },
  { weight: 6, arbitrary: fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 8 }) },
  { weight: 2, arbitrary: fc.array(fc.integer({ min: 1, max: 2048 }), { minLength: 1, maxLength: 4 }) },
);

export function splitBytes(bytes: Buffer, sizes: readonly number[]): Buffer[] {
  if (sizes.length === 0 || bytes.length === 0) return [bytes];
  const pieces: Buffer[] = [];
  for (let off = 0, i = 0; off < bytes.length; i++) {
    const n = sizes[i % sizes.length]!;
    pieces.push(bytes.subarray(off, off + n));
    off += n;
  }
  return pieces;
}

// --- limits ----------------------------------------------------------------------------------------------------

/** Mostly the defaults; sometimes tiny limits, so inputs cross them at every position. */
export const limitsArb: fc.Arbitrary<ParserLimits> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(DEFAULT_PARSER_LIMITS) },
  {
    weight: 1,
    arbitrary: fc.record({
      maxHeaderBytes: fc.integer({ min: 8, max: 400 }),
      maxHeaderCount: fc.integer({ min: 0, max: 8 }),
      maxTrailerBytes: fc.integer({ min: 1, max: 200 }),
    }),
  },
);

// --- adversarial inputs ----------------------------------------------------------------------------------------

/** A hostile input after zero or more valid requests, with the fault (or acceptance) RFC 9112 calls for. */
export interface HostileCase {
  label: string;
  /** Valid requests before the hostile part: their recordings must come out intact. */
  before: GenRequest[];
  bytes: Buffer;
  closed: boolean;
  limits: ParserLimits;
  /** The fault the hostile part must cause; undefined when it must be accepted as a request. */
  expect: FramingFaultKind | undefined;
}

const simplePost = (fields: string, body = '') => `POST ${API}/invocation/abc/response HTTP/1.1\r\nHost: x\r\n${fields}\r\n${body}`;
const chunkedPost = (body: string) => simplePost('Transfer-Encoding: chunked\r\n', body);
const ctlArb = fc
  .oneof(
    fc.integer({ min: 0x00, max: 0x08 }),
    fc.integer({ min: 0x0b, max: 0x0c }),
    fc.integer({ min: 0x0e, max: 0x1f }),
    fc.constant(0x7f),
  )
  .map((c) => String.fromCharCode(c));

interface Hostile {
  label: string;
  text: string;
  expect: FramingFaultKind | undefined;
  closed?: boolean;
  limits?: ParserLimits;
  /** The fault depends on the preceding request: garbage right after a Content-Length body overruns it. */
  requestLine?: boolean;
}

const hostileArb: fc.Arbitrary<Hostile> = fc.oneof(
  fc.tuple(field(ordinaryNameArb, fieldValueArb), fc.constantFrom(' ', '\t', '  ', ' \t'), fieldValueArb).map(([f, ws, more]) => ({
    label: 'obs-fold',
    text: simplePost(`${f.name}:${f.raw}\r\n${ws}${more}\r\n`),
    expect: 'bad-header' as const,
  })),
  fc.tuple(fc.nat({ max: 50 }), bodyBytesArb(50)).map(([, data]) => ({
    label: 'duplicate equal Content-Length',
    text: simplePost(`Content-Length: ${data.length}\r\nContent-Length: ${data.length}\r\n`, data.toString('latin1')),
    expect: undefined,
  })),
  fc.tuple(fc.nat({ max: 1000 }), fc.integer({ min: 1, max: 1000 }), fc.boolean()).map(([a, d, list]) => ({
    label: 'differing Content-Length',
    text: simplePost(list ? `Content-Length: ${a}, ${a + d}\r\n` : `Content-Length: ${a}\r\nContent-Length: ${a + d}\r\n`),
    expect: 'conflicting-framing' as const,
  })),
  fc.tuple(fc.nat({ max: 100 }), fc.boolean(), randomCase('Transfer-Encoding')).map(([n, teFirst, te]) => ({
    label: 'Content-Length and Transfer-Encoding',
    text: simplePost(teFirst ? `${te}: chunked\r\nContent-Length: ${n}\r\n` : `Content-Length: ${n}\r\n${te}: chunked\r\n`, '0\r\n\r\n'),
    expect: 'conflicting-framing' as const,
  })),
  fc.constantFrom('chunked', 'gzip', 'identity').map((coding) => ({
    label: 'Transfer-Encoding in HTTP/1.0',
    text: `POST / HTTP/1.0\r\nTransfer-Encoding: ${coding}\r\n\r\n5\r\nhello\r\n0\r\n\r\n`,
    expect: 'unsupported-transfer-encoding' as const,
  })),
  fc.constantFrom('gzip', 'chunked, gzip', 'gzip, chunked', 'chunked, chunked', 'identity', '', 'chunked;q=1', 'chunkedx').map((te) => ({
    label: 'unsupported Transfer-Encoding',
    text: simplePost(`Transfer-Encoding: ${te}\r\n`),
    expect: 'unsupported-transfer-encoding' as const,
  })),
  fc.constantFrom('-1', '+5', '0x10', '1 2', '', '5,,5', '5,', '1'.repeat(17), '9007199254740993', '1e3', '\xb3').map((v) => ({
    label: 'invalid Content-Length',
    text: simplePost(`Content-Length: ${v}\r\n`),
    expect: 'bad-content-length' as const,
  })),
  fc.tuple(fc.integer({ min: 20, max: 200 }), fc.integer({ min: 0, max: 300 })).map(([max, extra]) => ({
    label: 'oversized header section',
    text: simplePost(`X-Big: ${'a'.repeat(max + extra)}\r\n`),
    expect: 'headers-too-large' as const,
    limits: { ...DEFAULT_PARSER_LIMITS, maxHeaderBytes: max },
  })),
  fc.integer({ min: 0, max: 1 }).map((maxHeaderCount) => ({
    label: 'too many header fields',
    // Two fields (Host, X-A) against a limit of zero or one.
    text: simplePost('X-A: 1\r\n'),
    expect: 'headers-too-large' as const,
    limits: { ...DEFAULT_PARSER_LIMITS, maxHeaderCount },
  })),
  fc
    .tuple(fc.oneof(ctlArb, fc.constantFrom(' ', '(', ')', '/', '"', '@', '[', '\x80', '\xff', '\r')), tokenArb, tokenArb)
    .map(([bad, a, b]) => ({
      label: 'invalid byte in a field name',
      text: simplePost(`${a}${bad}${b}: v\r\n`),
      expect: 'bad-header' as const,
    })),
  fc.tuple(fc.oneof(ctlArb, fc.constant('\r')), fieldValueArb, fieldValueArb).map(([bad, a, b]) => ({
    label: 'invalid byte in a field value',
    text: simplePost(`X-V: ${a}${bad}${b}\r\n`),
    expect: 'bad-header' as const,
  })),
  fc
    .constantFrom('1'.repeat(17), '20000000000000', 'ffffffffffffffff', '-1', '0x5', '', ' 5', '5 ', 'g', '5;', '5;=x', '5;a="b', '5,a')
    .map((line) => ({
      label: 'invalid chunk-size line',
      text: chunkedPost(`${line}\r\nhello\r\n0\r\n\r\n`),
      expect: 'bad-chunk-size' as const,
    })),
  fc.constant({
    label: 'chunk-size line ended by a bare LF',
    text: chunkedPost('5\nhello\r\n0\r\n\r\n'),
    expect: 'bad-chunk-size' as const,
  }),
  fc.constantFrom('hello\n', 'helloX', 'hello!\r\n', 'hell\r\n\r\n').map((data) => ({
    label: 'chunk data without its CRLF',
    text: chunkedPost(`5\r\n${data}0\r\n\r\n`),
    expect: 'bad-chunk-terminator' as const,
  })),
  fc
    .tuple(bodyBytesArb(100), fc.nat())
    .filter(([d]) => d.length > 0)
    .map(([data, cut]) => ({
      label: 'connection closed inside a Content-Length body',
      text: simplePost(`Content-Length: ${data.length}\r\n`, data.toString('latin1').slice(0, cut % data.length)),
      expect: 'closed-mid-body' as const,
      closed: true,
    })),
  fc.tuple(fc.array(chunkArb, { maxLength: 3 }), fc.nat()).map(([chunks, cut]) => {
    const body = serializeBody({
      kind: 'chunked',
      chunks,
      last: { sizeText: '0', ext: '', bws: '' },
      trailers: [],
      trailerEnd: '\r\n',
    }).toString('latin1');
    return {
      label: 'connection closed inside a chunked body',
      text: chunkedPost(body.slice(0, cut % body.length)),
      expect: 'missing-terminal-chunk' as const,
      closed: true,
    };
  }),
  fc.nat().map((cut) => {
    const head = simplePost('X-A: 1\r\n');
    const text = head.slice(0, 1 + (cut % (head.length - 2)));
    return {
      label: 'connection closed inside the head',
      text,
      expect: 'closed-mid-head' as const,
      closed: true,
      requestLine: !text.includes('\n'),
    };
  }),
  fc
    .oneof(
      fc
        .tuple(fc.constantFrom('{', ' ', '\x00', '\x80', '/', '"', '\t', ':', '\x16\x03\x01'), stringOf(visibleArb, 0, 20))
        .map(([a, b]) => `${a}${b}\r\n`),
      fc.constantFrom(
        'GET  / HTTP/1.1\r\n',
        'GET / HTTP/2.0\r\n',
        'GET / HTTP/1.1 \r\n',
        'GET /\r\n',
        'GET / http/1.1\r\n',
        'GET /a b HTTP/1.1\r\n',
        'GET / HTTP/1.1\rX\r\n',
        'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
      ),
    )
    .map((line) => ({ label: 'garbage request line', text: line, expect: 'bad-request-line' as const, requestLine: true })),
);

export const hostileCaseArb: fc.Arbitrary<HostileCase> = fc
  .tuple(fc.array(requestArb({ avoidNext: true, avoidClose: true }), { maxLength: 2 }), hostileArb)
  .map(([valid, h]) => {
    // Tiny limits would refuse the valid requests too: those cases stand alone.
    const before = h.limits ? [] : valid;
    const last = before.at(-1);
    const expect = h.requestLine && last?.body.kind === 'length' ? 'body-exceeds-content-length' : h.expect;
    return {
      label: h.label,
      before,
      bytes: Buffer.concat([serializePipeline(before), latin1(h.text)]),
      closed: h.closed ?? true,
      limits: h.limits ?? DEFAULT_PARSER_LIMITS,
      expect,
    };
  });

// --- mutations -------------------------------------------------------------------------------------------------

export type Mutation =
  { op: 'set' | 'insert'; at: number; byte: number } | { op: 'delete'; at: number } | { op: 'repeat'; at: number; length: number };

/** Bytes that matter to HTTP framing, so mutations hit the parser's decisions more often than random bytes do. */
const SPECIAL = [0x00, 0x09, 0x0a, 0x0d, 0x20, 0x22, 0x2c, 0x30, 0x31, 0x3a, 0x3b, 0x3d, 0x5c, 0x7f, 0x80, 0xff, 0x41, 0x46, 0x67];
const byteArb = fc.oneof(fc.constantFrom(...SPECIAL), fc.integer({ min: 0, max: 255 }));

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('set' as const), at: fc.nat(), byte: byteArb }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), byte: byteArb }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('repeat' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 16 }) }),
);

export function mutate(input: Buffer, mutations: readonly Mutation[]): Buffer {
  let b = Buffer.from(input);
  for (const m of mutations) {
    const at = b.length === 0 ? 0 : m.at % (b.length + (m.op === 'insert' ? 1 : 0));
    if (m.op === 'set' && b.length > 0) b[at] = m.byte;
    else if (m.op === 'insert') b = Buffer.concat([b.subarray(0, at), Buffer.from([m.byte]), b.subarray(at)]);
    else if (m.op === 'delete' && b.length > 0) b = Buffer.concat([b.subarray(0, at), b.subarray(at + 1)]);
    else if (m.op === 'repeat') b = Buffer.concat([b.subarray(0, at + m.length), b.subarray(at)]);
  }
  return b;
}

export interface MutatedCase {
  bytes: Buffer;
  closed: boolean;
  limits: ParserLimits;
}

export const mutatedCaseArb = (options: RequestOptions = {}): fc.Arbitrary<MutatedCase> =>
  fc
    .record({
      pipeline: pipelineArb(options, 2),
      mutations: fc.array(mutationArb, { minLength: 1, maxLength: 4 }),
      closed: fc.boolean(),
      limits: limitsArb,
    })
    .map(({ pipeline, mutations, closed, limits }) => ({ bytes: mutate(serializePipeline(pipeline), mutations), closed, limits }));
