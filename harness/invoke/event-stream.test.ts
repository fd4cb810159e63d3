import { describe, expect, it } from 'vitest';
import { EventStreamDecoder, errorMessage, invokeCompleteMessage, payloadChunkMessage, type DecodedStreamEvent } from './event-stream.ts';

const text = (b: Uint8Array): string => Buffer.from(b).toString('utf8');

function concat(parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

describe('event-stream messages', () => {
  it('frame as the Smithy spec says: total length, headers length, 16 bytes overhead', () => {
    const msg = payloadChunkMessage(new Uint8Array([1, 2, 3]));
    const view = new DataView(msg.buffer, msg.byteOffset, msg.byteLength);
    const total = view.getUint32(0, false);
    const headersLength = view.getUint32(4, false);
    expect(total).toBe(msg.length);
    expect(total).toBe(16 + headersLength + 3);
    expect([...msg.subarray(msg.length - 7, msg.length - 4)]).toEqual([1, 2, 3]);
  });

  it('round-trip PayloadChunk, InvokeComplete and error messages', () => {
    const decoder = new EventStreamDecoder();
    const events = decoder.feed(
      concat([
        payloadChunkMessage(Buffer.from('hello ')),
        payloadChunkMessage(Buffer.from('wörld')),
        invokeCompleteMessage({ errorCode: 'Function.Boom', errorDetails: '{"errorMessage":"x"}', logResult: 'U1RBUlQK' }),
        errorMessage('ServiceException', 'it broke'),
      ]),
    );
    decoder.end();
    expect(events.map((e) => e.type)).toEqual(['PayloadChunk', 'PayloadChunk', 'InvokeComplete', 'error']);
    expect(events[0]!.headers).toEqual({
      ':message-type': 'event',
      ':event-type': 'PayloadChunk',
      ':content-type': 'application/octet-stream',
    });
    expect(text(events[0]!.payload) + text(events[1]!.payload)).toBe('hello wörld');
    expect(events[2]!.headers[':content-type']).toBe('application/json');
    expect(JSON.parse(text(events[2]!.payload))).toEqual({
      ErrorCode: 'Function.Boom',
      ErrorDetails: '{"errorMessage":"x"}',
      LogResult: 'U1RBUlQK',
    });
    expect(events[3]!.headers).toEqual({
      ':message-type': 'error',
      ':error-code': 'ServiceException',
      ':error-message': 'it broke',
    });
    expect(events[3]!.payload.length).toBe(0);
  });

  it('InvokeComplete omits absent keys', () => {
    const [complete] = new EventStreamDecoder().feed(invokeCompleteMessage({}));
    expect(text(complete!.payload)).toBe('{}');
    const [withTail] = new EventStreamDecoder().feed(invokeCompleteMessage({ logResult: 'QQ==' }));
    expect(JSON.parse(text(withTail!.payload))).toEqual({ LogResult: 'QQ==' });
  });
});

describe('EventStreamDecoder', () => {
  it('decodes a stream fed one byte at a time, emitting each message when its last byte arrives', () => {
    const first = payloadChunkMessage(Buffer.from('a'.repeat(3000)));
    const second = invokeCompleteMessage({});
    const all = concat([first, second]);
    const decoder = new EventStreamDecoder();
    const seen: Array<{ at: number; event: DecodedStreamEvent }> = [];
    for (let i = 0; i < all.length; i++) {
      for (const event of decoder.feed(all.subarray(i, i + 1))) seen.push({ at: i, event });
    }
    decoder.end();
    expect(seen.map((s) => [s.at, s.event.type])).toEqual([
      [first.length - 1, 'PayloadChunk'],
      [all.length - 1, 'InvokeComplete'],
    ]);
    expect(text(seen[0]!.event.payload)).toBe('a'.repeat(3000));
  });

  it('payloads stay intact after more bytes are fed (no aliasing of the internal buffer)', () => {
    const decoder = new EventStreamDecoder();
    const [a] = decoder.feed(payloadChunkMessage(Buffer.from('first')));
    decoder.feed(payloadChunkMessage(Buffer.from('XXXXXXXX')));
    expect(text(a!.payload)).toBe('first');
  });

  it('rejects a corrupted message CRC', () => {
    const msg = payloadChunkMessage(Buffer.from('payload'));
    msg[msg.length - 5]! ^= 0xff; // a payload byte: the message CRC no longer matches
    expect(() => new EventStreamDecoder().feed(msg)).toThrow(/checksum/i);
  });

  it('rejects a corrupted prelude CRC', () => {
    const msg = payloadChunkMessage(Buffer.from('payload'));
    msg[8]! ^= 0x01;
    expect(() => new EventStreamDecoder().feed(msg)).toThrow(/prelude checksum/i);
  });

  it('rejects an impossible message length', () => {
    expect(() => new EventStreamDecoder().feed(new Uint8Array([0, 0, 0, 3, 0, 0, 0, 0]))).toThrow(/invalid message length/);
  });

  it('end() throws when the stream stops inside a message', () => {
    const msg = payloadChunkMessage(Buffer.from('payload'));
    const decoder = new EventStreamDecoder();
    expect(decoder.feed(msg.subarray(0, 10))).toEqual([]);
    expect(() => decoder.end()).toThrow(/ended inside a message/);
    const clean = new EventStreamDecoder();
    clean.feed(msg);
    expect(() => clean.end()).not.toThrow();
  });
});
