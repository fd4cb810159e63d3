import { describe, expect, it } from 'vitest';
import { deliveredPayload, jsonProblem, MAX_REQUEST_PAYLOAD_BYTES, payloadRejection } from './invoke-payload.ts';

describe('payloadRejection', () => {
  it('413 RequestEntityTooLargeException one byte over 6 MiB, nothing at the limit', () => {
    const atLimit = Buffer.from(`"${'a'.repeat(MAX_REQUEST_PAYLOAD_BYTES - 2)}"`);
    expect(payloadRejection(atLimit)).toBeUndefined();
    const over = Buffer.concat([atLimit, Buffer.from(' ')]);
    expect(payloadRejection(over)).toEqual({
      status: 413,
      errorType: 'RequestEntityTooLargeException',
      message: 'Request must be smaller than 6291456 bytes for the InvokeFunction operation',
    });
    expect(payloadRejection(over, 'InvokeWithResponseStream')?.message).toContain('for the InvokeWithResponseStream operation');
  });

  it('400 InvalidRequestContentException in Lambda form for a body that is not JSON; empty and JSON bodies pass', () => {
    expect(payloadRejection(Buffer.from('hello'))).toEqual({
      status: 400,
      errorType: 'InvalidRequestContentException',
      message:
        "Could not parse request body into json: Could not parse payload into json: Unrecognized token 'hello': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')",
    });
    for (const ok of ['', '{}', ' 1 ', '"s"', 'null', '[1,{"a":null}]']) expect(payloadRejection(Buffer.from(ok))).toBeUndefined();
  });
});

describe('jsonProblem', () => {
  it('words every syntax error like Jackson, never like JSON.parse', () => {
    const cases: Array<[string | Buffer, string]> = [
      ['{"a":', 'Unexpected end-of-input'],
      ['"abc', 'Unexpected end-of-input'],
      ['   ', 'Unexpected end-of-input'],
      ['{"a" 1}', "Unexpected character ('1' (code 49))"],
      ['1 2', "Unexpected character ('2' (code 50))"],
      ['{,}', "Unexpected character (',' (code 44))"],
      ['truex', "Unrecognized token 'truex': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')"],
      [Buffer.from([0x7b, 0x87, 0x7d]), 'Invalid UTF-8 start byte 0x87'],
      [Buffer.from([0x22, 0xc3, 0x28, 0x22]), 'Invalid UTF-8 middle byte 0x28'],
    ];
    for (const [body, reason] of cases) {
      const got = jsonProblem(Buffer.isBuffer(body) ? body : Buffer.from(body));
      expect(got, String(body)).toBe(reason);
      expect(got).not.toMatch(/valid JSON|in JSON|JSON input/);
    }
  });
});

describe('deliveredPayload', () => {
  it('an empty body reaches the runtime as {}; anything else byte for byte', () => {
    expect(deliveredPayload(Buffer.alloc(0)).toString()).toBe('{}');
    expect(deliveredPayload(Buffer.from(' ')).toString()).toBe(' ');
    expect(deliveredPayload(Buffer.from('null')).toString()).toBe('null');
  });
});
