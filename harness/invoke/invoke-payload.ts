/**
 * The Invoke API's checks on a request payload, shared by the Invoke front (`serve`) and `invoke`, so both refuse
 * what Lambda refuses (413 over 6 MiB, 400 for a body that is not JSON) and deliver what Lambda delivers.
 */

/** Synchronous request payload limit (exactly 6 MiB; the response limit is 100 bytes more). */
export const MAX_REQUEST_PAYLOAD_BYTES = 6_291_456;

/** How Lambda refuses a payload: status, `X-Amzn-Errortype` and message. */
export interface PayloadRejection {
  status: 400 | 413;
  errorType: 'RequestEntityTooLargeException' | 'InvalidRequestContentException';
  message: string;
}

/** Lambda's 413 for a request body over the limit (the operation is named as Lambda names it). */
export function tooLargeRejection(operation: 'Invoke' | 'InvokeWithResponseStream'): PayloadRejection {
  const name = operation === 'Invoke' ? 'InvokeFunction' : operation;
  return {
    status: 413,
    errorType: 'RequestEntityTooLargeException',
    message: `Request must be smaller than ${MAX_REQUEST_PAYLOAD_BYTES} bytes for the ${name} operation`,
  };
}

/** Why Lambda would refuse this payload, or undefined when it would accept it. */
export function payloadRejection(body: Buffer, operation: 'Invoke' | 'InvokeWithResponseStream' = 'Invoke'): PayloadRejection | undefined {
  if (body.length > MAX_REQUEST_PAYLOAD_BYTES) return tooLargeRejection(operation);
  const problem = jsonProblem(body);
  if (problem === undefined) return undefined;
  // Lambda's form (its parser is Jackson): "Could not parse request body into json: Could not parse payload into
  // json: Invalid UTF-8 start byte 0x87". The reason is worded like Jackson's, never like JavaScript's JSON.parse.
  return {
    status: 400,
    errorType: 'InvalidRequestContentException',
    message: `Could not parse request body into json: Could not parse payload into json: ${problem}`,
  };
}

const EMPTY_OBJECT = Buffer.from('{}');

/**
 * What the runtime receives: an empty body becomes `{}`, as on Lambda (aws/aws-lambda-dotnet#834; the same fix in
 * floci-io/floci#599). Any other body is delivered byte for byte.
 */
export function deliveredPayload(body: Buffer): Buffer {
  return body.length === 0 ? EMPTY_OBJECT : body;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** A Jackson-style reason the body is not JSON, or undefined when it is JSON (or empty, which Lambda accepts). */
export function jsonProblem(body: Buffer): string | undefined {
  if (body.length === 0) return undefined;
  let text: string;
  try {
    text = strictUtf8.decode(body);
  } catch {
    return utf8Problem(body);
  }
  try {
    JSON.parse(text);
    return undefined;
  } catch (e) {
    return syntaxProblem(text, e instanceof Error ? e.message : '');
  }
}

/** Jackson's wording for the first byte that breaks UTF-8. */
function utf8Problem(b: Buffer): string {
  let i = 0;
  // Bounded by the buffer: every pass advances i by at least one.
  while (i < b.length) {
    const c = b[i]!;
    const need = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (need < 0) return `Invalid UTF-8 start byte 0x${hex(c)}`;
    for (let k = 1; k <= need; k++) {
      const m = b[i + k];
      if (m === undefined) return 'Unexpected end-of-input in the middle of a UTF-8 sequence';
      if ((m & 0xc0) !== 0x80) return `Invalid UTF-8 middle byte 0x${hex(m)}`;
    }
    i += need + 1;
  }
  // Overlong or surrogate encodings that the simple scan lets through.
  return 'Invalid UTF-8 sequence';
}

function hex(n: number): string {
  return n.toString(16).padStart(2, '0');
}

/**
 * Jackson-style wording for a syntax error. JSON.parse's message is read only to find where parsing stopped (its
 * "at position N" or quoted token), never shown.
 */
function syntaxProblem(text: string, v8Message: string): string {
  const start = /\S/.exec(text);
  const word = start ? /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(start.index))?.[0] : undefined;
  if (word !== undefined && word !== 'true' && word !== 'false' && word !== 'null') {
    return `Unrecognized token '${word}': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')`;
  }
  if (!start || /end of JSON input|Unterminated/i.test(v8Message)) return 'Unexpected end-of-input';
  const at = /at position (\d+)/.exec(v8Message);
  const quoted = /Unexpected token '(.)'/u.exec(v8Message);
  const ch = at ? text[Number(at[1])] : quoted?.[1];
  if (ch === undefined) return 'Unexpected end-of-input';
  return `Unexpected character ('${ch}' (code ${ch.codePointAt(0)}))`;
}
