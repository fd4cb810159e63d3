/**
 * Reports are shared (CI artefacts, issue threads): credential-shaped strings a runtime printed or sent never reach
 * them. Access key ids, secret keys and session tokens are replaced, keeping what kind of secret stood there.
 */
import { bodyToJson, type BodyJson, type ExchangeJson } from '../model/recording.ts';

const RULES: Array<[RegExp, string]> = [
  // Access key ids: AKIA (long-term), ASIA (temporary) and the other IAM unique-id prefixes.
  [/\b(?:AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA)[A-Z0-9]{16}\b/g, '[REDACTED:access-key-id]'],
  // Secret keys and session tokens named as such, in env dumps, JSON, headers or config files.
  [/((?:aws_?)?secret_?access_?key["']?\s*[:=]\s*["']?)[A-Za-z0-9/+=]{40}/gi, '$1[REDACTED:secret-access-key]'],
  [/((?:aws_?)?session_?token["']?\s*[:=]\s*["']?)[A-Za-z0-9/+=]{16,}/gi, '$1[REDACTED:session-token]'],
  [/((?:aws_?)?security_?token["']?\s*[:=]\s*["']?)[A-Za-z0-9/+=]{16,}/gi, '$1[REDACTED:session-token]'],
];

export function scrub(text: string): string {
  let out = text;
  for (const [re, replacement] of RULES) out = out.replace(re, replacement);
  return out;
}

/** A JSON body with its text scrubbed; binary bodies (no UTF-8 form) are kept as they are. */
export function scrubBody(body: BodyJson): BodyJson {
  if (body.utf8 === undefined) return body;
  const cleaned = scrub(body.utf8);
  if (cleaned === body.utf8) return body;
  // Re-encode from the scrubbed text so the base64 form does not carry the secret either.
  const json = bodyToJson(Buffer.from(cleaned, 'utf8'));
  return { ...json, size: body.size, ...(body.truncated ? { truncated: true } : {}) };
}

export function scrubExchange(x: ExchangeJson): ExchangeJson {
  const headers = x.request.headers.map((h) => ({ name: h.name, value: scrub(h.value) }));
  const trailers = x.request.trailers.map((h) => ({ name: h.name, value: scrub(h.value) }));
  return {
    ...x,
    request: { ...x.request, headers, trailers, body: scrubBody(x.request.body) },
    ...(x.response ? { response: { ...x.response, body: scrubBody(x.response.body) } } : {}),
  };
}
