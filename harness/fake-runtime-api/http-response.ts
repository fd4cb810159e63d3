/** Serialising the fake Runtime API's HTTP/1.1 responses by hand, so the recorder sees exactly the bytes sent. */
import type { RecordedHeader } from '../model/recording.ts';

const REASONS: Record<number, string> = {
  100: 'Continue',
  200: 'OK',
  202: 'Accepted',
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  410: 'Gone',
  413: 'Request Entity Too Large',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

export function reasonPhrase(status: number): string {
  return REASONS[status] ?? 'Status';
}

/**
 * A response as it will be written. `headers` is complete — Content-Length included — so the recorder can keep the
 * very same array (no copy per response: recording must stay cheap).
 */
export interface OutgoingResponse {
  status: number;
  headers: RecordedHeader[];
  body: Buffer;
}

/** Build a response whose header list ends with the body's Content-Length. */
export function outgoing(status: number, headers: RecordedHeader[], body: Buffer): OutgoingResponse {
  headers.push({ name: 'Content-Length', value: String(body.length) });
  return { status, headers, body };
}

/** Status line + headers + body, in one buffer (one write, one syscall). */
export function serializeResponse(res: OutgoingResponse): Buffer {
  let head = `HTTP/1.1 ${res.status} ${reasonPhrase(res.status)}\r\n`;
  for (const h of res.headers) head += `${h.name}: ${h.value}\r\n`;
  head += '\r\n';
  const headBuf = Buffer.from(head, 'latin1');
  return res.body.length === 0 ? headBuf : Buffer.concat([headBuf, res.body]);
}

/** The same response announcing that the server closes the connection after it. */
export function withClose(res: OutgoingResponse): OutgoingResponse {
  return { ...res, headers: [...res.headers, { name: 'Connection', value: 'close' }] };
}

export function jsonResponse(status: number, value: unknown, extra: RecordedHeader[] = []): OutgoingResponse {
  return outgoing(status, [{ name: 'Content-Type', value: 'application/json' }, ...extra], Buffer.from(JSON.stringify(value)));
}

/** The body Lambda (and RIE) uses for every Runtime API error: `{"errorMessage","errorType"}`. */
export function errorResponse(status: number, errorType: string, errorMessage: string): OutgoingResponse {
  return jsonResponse(status, { errorMessage, errorType });
}

export const ACCEPTED: OutgoingResponse = jsonResponse(202, { status: 'OK' });

export const CONTINUE_BYTES = Buffer.from('HTTP/1.1 100 Continue\r\n\r\n', 'latin1');
