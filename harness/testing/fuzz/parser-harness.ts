/**
 * Drives a `RequestParser` over reads of a byte stream and reduces what it reported to the oracle's shape
 * (`OracleOutcome`), checking on the way the event invariants no input may break.
 */
import { isDeepStrictEqual } from 'node:util';
import { expect } from 'vitest';
import { RequestParser, type ParserLimits } from '../../fake-runtime-api/http-parser.ts';
import type { RecordedRequest } from '../../model/recording.ts';
import type { NormalRequest, OracleOutcome } from './reference-parser.ts';

export function normalRequest(r: RecordedRequest): NormalRequest {
  return {
    method: r.method,
    target: r.target,
    httpVersion: r.httpVersion,
    headers: r.headers.map(({ name, value }) => ({ name, value })),
    body: r.body.toString('latin1'),
    chunked: r.chunked,
    chunks: r.chunks.map(({ size, extensions, offset }) => ({ size, extensions, offset })),
    trailers: r.trailers.map(({ name, value }) => ({ name, value })),
  };
}

/**
 * Feed `pieces` (then FIN when `closed`) and return what the parser made of them. Throws (failing the property)
 * when the parser throws, fires an event after its fault, or streams body bytes that differ from the recording.
 */
export function observeParser(pieces: readonly Buffer[], closed: boolean, limits: ParserLimits): OracleOutcome {
  const out: OracleOutcome = { completed: [], pending: false };
  let streamed: Buffer[] = [];
  let head: OracleOutcome['completed'][number]['head'] | undefined;
  let faulted = false;
  const violation = (what: string): never => {
    throw new Error(`parser invariant broken: ${what}`);
  };
  const parser = new RequestParser(
    {
      onHead: (h) => {
        if (faulted) violation('onHead after onFault');
        if (head) violation('onHead twice without onComplete');
        head = { keepAlive: h.keepAlive, expectContinue: h.expectContinue, declaredTrailers: h.declaredTrailers };
        streamed = [];
      },
      onBody: (data) => {
        if (faulted || !head) violation('onBody outside a message');
        streamed.push(Buffer.from(data));
      },
      onComplete: (request) => {
        if (faulted || !head || !request) violation('onComplete without head or request');
        if (!Buffer.concat(streamed).equals(request!.body)) violation('streamed body differs from the recorded body');
        out.completed.push({ request: normalRequest(request!), head: head! });
        head = undefined;
      },
      onFault: (fault, request) => {
        if (faulted) violation('second onFault');
        faulted = true;
        out.fault = request ? { kind: fault.kind, request: normalRequest(request) } : { kind: fault.kind };
      },
    },
    () => 0,
    { limits },
  );
  for (const piece of pieces) parser.push(piece);
  if (closed) parser.end();
  if (!faulted && !parser.idle) out.pending = true;
  if (faulted !== parser.failed) violation('failed flag disagrees with onFault');
  return out;
}

/** Deep equality for hot property loops: node's check is cheap; vitest's (with its diff) runs only on a mismatch. */
export function expectSame<T>(actual: T, expected: T, label?: string): void {
  if (!isDeepStrictEqual(actual, expected)) expect(actual, label).toEqual(expected);
}
