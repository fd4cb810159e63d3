/**
 * `application/vnd.amazon.eventstream` messages for InvokeWithResponseStream: encoding the events Lambda sends
 * (PayloadChunk, InvokeComplete, unmodeled errors) and an incremental decoder for clients of such a stream.
 */
import { EventStreamCodec, type MessageHeaderValue, type MessageHeaders } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';

const codec = new EventStreamCodec(toUtf8, fromUtf8);

/** Prelude (total length, headers length, prelude CRC) + message CRC. */
const MIN_MESSAGE_BYTES = 16;
/** Spec limits: payload ≤ 24 MiB, headers ≤ 128 KiB. A larger total length means a corrupt (or hostile) prelude. */
const MAX_MESSAGE_BYTES = 25_165_824 + 131_072 + MIN_MESSAGE_BYTES;

function str(value: string): MessageHeaderValue {
  return { type: 'string', value };
}

export function payloadChunkMessage(bytes: Uint8Array): Uint8Array {
  return codec.encode({
    headers: {
      ':message-type': str('event'),
      ':event-type': str('PayloadChunk'),
      ':content-type': str('application/octet-stream'),
    },
    body: bytes,
  });
}

/** The terminal event. Keys are the Smithy member names, which is what the AWS SDKs read from the JSON body. */
export function invokeCompleteMessage(c: { errorCode?: string; errorDetails?: string; logResult?: string }): Uint8Array {
  const body: Record<string, string> = {};
  if (c.errorCode !== undefined) body['ErrorCode'] = c.errorCode;
  if (c.errorDetails !== undefined) body['ErrorDetails'] = c.errorDetails;
  if (c.logResult !== undefined) body['LogResult'] = c.logResult;
  return codec.encode({
    headers: {
      ':message-type': str('event'),
      ':event-type': str('InvokeComplete'),
      ':content-type': str('application/json'),
    },
    body: fromUtf8(JSON.stringify(body)),
  });
}

/** An unmodeled error: the stream failed on the service side after the 200 was already sent. */
export function errorMessage(code: string, message: string): Uint8Array {
  return codec.encode({
    headers: {
      ':message-type': str('error'),
      ':error-code': str(code),
      ':error-message': str(message),
    },
    body: new Uint8Array(0),
  });
}

export interface DecodedStreamEvent {
  /** `:event-type` for events, `error` / `exception` for error messages. */
  type: 'PayloadChunk' | 'InvokeComplete' | 'error' | string;
  payload: Uint8Array;
  headers: Record<string, string>;
}

function headerText(h: MessageHeaderValue): string {
  switch (h.type) {
    case 'binary':
      return Buffer.from(h.value).toString('base64');
    case 'timestamp':
      return h.value.toISOString();
    case 'long':
      return h.value.toString();
    default:
      return String(h.value);
  }
}

function toEvent(headers: MessageHeaders, body: Uint8Array): DecodedStreamEvent {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) flat[name] = headerText(value);
  const messageType = flat[':message-type'];
  const type = messageType === 'event' ? (flat[':event-type'] ?? 'event') : (messageType ?? 'unknown');
  return { type, payload: body, headers: flat };
}

/** Incremental decoder for tests and for the deployed target: feed bytes as they arrive, get whole messages. */
export class EventStreamDecoder {
  private buf = new Uint8Array(0);
  private start = 0;
  private end_ = 0;

  feed(bytes: Uint8Array): DecodedStreamEvent[] {
    this.append(bytes);
    const out: DecodedStreamEvent[] = [];
    // Each pass consumes one whole message or stops; bounded by the bytes buffered.
    while (this.end_ - this.start >= 4) {
      const view = new DataView(this.buf.buffer, this.buf.byteOffset + this.start, this.end_ - this.start);
      const total = view.getUint32(0, false);
      if (total < MIN_MESSAGE_BYTES || total > MAX_MESSAGE_BYTES) {
        throw new Error(`event stream: invalid message length ${total}`);
      }
      if (this.end_ - this.start < total) break;
      // Copy out so callers own the payload even after the buffer is reused. decode() checks both CRCs.
      const message = this.buf.slice(this.start, this.start + total);
      this.start += total;
      const { headers, body } = codec.decode(message);
      out.push(toEvent(headers, body));
    }
    if (this.start === this.end_) this.start = this.end_ = 0;
    return out;
  }

  /** Call when the byte stream ends: throws if a partial message remains. */
  end(): void {
    const left = this.end_ - this.start;
    if (left > 0) throw new Error(`event stream: ended inside a message (${left} bytes left over)`);
  }

  private append(bytes: Uint8Array): void {
    const needed = this.end_ - this.start + bytes.length;
    if (this.end_ + bytes.length > this.buf.length) {
      // Compact, and grow geometrically so byte-at-a-time feeding stays linear.
      if (needed > this.buf.length) {
        const next = new Uint8Array(Math.max(needed, this.buf.length * 2, 1024));
        next.set(this.buf.subarray(this.start, this.end_), 0);
        this.buf = next;
      } else {
        this.buf.copyWithin(0, this.start, this.end_);
      }
      this.end_ -= this.start;
      this.start = 0;
    }
    this.buf.set(bytes, this.end_);
    this.end_ += bytes.length;
  }
}
