/**
 * Reports are shared (CI artefacts, issue threads): no credential reaches them, nor the terminal. Two passes:
 * every value lambdaspec knows is a secret (known-secrets.ts), in each of its encodings, wherever it stands; then
 * patterns for credentials it was never told about (AWS key ids, named secrets, bare secret keys, session tokens).
 * Markers keep what kind of secret stood there: `[REDACTED:secret-access-key]`.
 *
 * Scrub before cutting text short: a preview cut inside a secret leaves a prefix no later pass can recognise.
 * Markers contain no quote, backslash or angle bracket, so scrubbing serialised JSON, HTML or XML keeps it valid.
 */
import {
  bodyToJson,
  exchangeToJson,
  recordingToJson,
  type BodyJson,
  type Exchange,
  type ExchangeJson,
  type Recording,
  type RecordingJson,
} from '../model/recording.ts';
import { knownSecrets, secretsGeneration, secretVariants } from './known-secrets.ts';

/** Credential shapes; the lookarounds stand in for \b, which misses a key glued to a lower-case word (`xAKIA…`). */
const RULES: Array<[RegExp, string]> = [
  // Access key ids: AKIA (long-term), ASIA (temporary) and the other IAM unique-id prefixes.
  [/(?<![A-Z0-9])(?:AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA)[A-Z0-9]{16}(?![A-Z0-9])/g, '[REDACTED:access-key-id]'],
  // STS session tokens (they all start with the base64 of the same few bytes).
  [/(?<![A-Za-z0-9/+])(?:IQoJb3JpZ2lu|FwoGZXIvYXdz|FQoGZXIvYXdz)[A-Za-z0-9/+=]{20,}/g, '[REDACTED:session-token]'],
  // Secret keys and session tokens named as such, in env dumps, JSON, headers or config files.
  [/((?:aws_?)?secret_?access_?key["']?\s*[:=]\s*["']?)[A-Za-z0-9/+=]{40}/gi, '$1[REDACTED:secret-access-key]'],
  [/((?:aws_?)?(?:session|security)_?token["']?\s*[:=]\s*["']?)[A-Za-z0-9/+=]{16,}/gi, '$1[REDACTED:session-token]'],
  // Any other value named like a secret (`secret=…`, `password: …`, `api_key="…"`), up to a delimiter.
  [
    /((?<![A-Za-z0-9])[A-Za-z0-9_.-]*(?:secret|passw(?:or)?d|pwd|api[_-]?key|private[_-]?key|credentials?|auth[_-]?token|access[_-]?token)["']?\s*[:=]\s*["']?)(?!\[REDACTED)[^\s"'\\<>&,;)}\]]{6,}/gi,
    '$1[REDACTED:secret]',
  ],
];

/**
 * A bare secret access key: 40 base64 characters with upper, lower and digit or / + present, standing alone (not
 * part of longer base64; hex digests have no upper case). Only for runtime text, not whole files: there a 30-byte
 * body's base64 field has the same shape.
 */
const BARE_SECRET_KEY =
  /(?<![A-Za-z0-9/+=])(?=[A-Za-z0-9/+]{0,39}[A-Z])(?=[A-Za-z0-9/+]{0,39}[a-z])(?=[A-Za-z0-9/+]{0,39}[0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g;

interface KnownMatcher {
  generation: number;
  hostKey: string;
  re: RegExp | undefined;
  markers: Map<string, string>;
}

let cache: KnownMatcher | undefined;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** One alternation of every known secret in every encoding, longest first; rebuilt when the set changes. */
function knownMatcher(): KnownMatcher {
  const secrets = knownSecrets();
  const hostKey = secrets.map((s) => s.value).join('\u0000');
  if (cache && cache.generation === secretsGeneration() && cache.hostKey === hostKey) return cache;
  const markers = new Map<string, string>();
  for (const s of secrets) {
    for (const v of secretVariants(s.value)) {
      if (!markers.has(v.text)) markers.set(v.text, `[REDACTED:${s.kind}${v.encoding === 'base64' ? ':base64' : ''}]`);
    }
  }
  const texts = [...markers.keys()].sort((a, b) => b.length - a.length);
  cache = {
    generation: secretsGeneration(),
    hostKey,
    markers,
    re: texts.length > 0 ? new RegExp(texts.map(escapeRegExp).join('|'), 'g') : undefined,
  };
  return cache;
}

/** Runtime text (a log line, a body, an error message, a header) with every secret replaced. */
export function scrub(text: string): string {
  return scrubFile(text).replace(BARE_SECRET_KEY, '[REDACTED:secret-access-key]');
}

/** A whole file's text (JSON, HTML, Markdown, XML) just before it is written: known values and named secrets. */
export function scrubFile(text: string): string {
  const known = knownMatcher();
  let out = known.re ? text.replace(known.re, (m) => known.markers.get(m) ?? '[REDACTED]') : text;
  for (const [re, replacement] of RULES) out = out.replace(re, replacement);
  return out;
}

/** `scrub`, then cut to `max` characters with an ellipsis: in this order, so no cut leaves part of a secret. */
export function scrubPreview(text: string, max: number): string {
  const clean = scrub(text);
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

/** A body's bytes with secrets removed: UTF-8 text scrubbed as text, other bytes for known values in ASCII. */
export function scrubBytes(body: Buffer): Buffer {
  const text = utf8OrUndefined(body);
  if (text !== undefined) {
    const clean = scrub(text);
    return clean === text ? body : Buffer.from(clean, 'utf8');
  }
  // latin1 maps bytes 1:1 to characters, so an ASCII secret inside binary is found and the rest survives intact.
  const latin = body.toString('latin1');
  const clean = scrub(latin);
  return clean === latin ? body : Buffer.from(clean, 'latin1');
}

const utf8Strict = new TextDecoder('utf-8', { fatal: true });

function utf8OrUndefined(b: Buffer): string | undefined {
  try {
    return utf8Strict.decode(b);
  } catch {
    return undefined;
  }
}

/** A JSON body with its text scrubbed (base64 re-encoded from the scrubbed bytes, so it carries no secret either). */
export function scrubBody(body: BodyJson): BodyJson {
  const bytes = Buffer.from(body.base64, 'base64');
  const cleaned = scrubBytes(bytes);
  if (cleaned === bytes) return body;
  const json = bodyToJson(cleaned);
  return { ...json, size: body.size, ...(body.truncated ? { truncated: true } : {}) };
}

export function scrubExchange(x: ExchangeJson): ExchangeJson {
  const headers = x.request.headers.map((h) => ({ name: h.name, value: scrub(h.value) }));
  const trailers = x.request.trailers.map((h) => ({ name: h.name, value: scrub(h.value) }));
  return {
    ...x,
    ...(x.fault ? { fault: { ...x.fault, detail: scrub(x.fault.detail) } } : {}),
    request: { ...x.request, target: scrub(x.request.target), headers, trailers, body: scrubBody(x.request.body) },
    ...(x.response
      ? {
          response: {
            ...x.response,
            headers: x.response.headers.map((h) => ({ name: h.name, value: scrub(h.value) })),
            body: scrubBody(x.response.body),
          },
        }
      : {}),
  };
}

/** A whole recording (invoke --record) with every exchange scrubbed, bodies re-encoded from their scrubbed bytes. */
export function scrubbedRecordingJson(rec: Recording): RecordingJson {
  return { ...recordingToJson({ ...rec, exchanges: [] }), exchanges: rec.exchanges.map((x) => scrubbedExchangeJson(x)) };
}

/** An exchange for a report: bodies scrubbed whole, then cut to `maxBodyBytes` (never the other way round). */
export function scrubbedExchangeJson(x: Exchange, maxBodyBytes = Infinity): ExchangeJson {
  const request = { ...x.request, body: scrubBytes(x.request.body) };
  const response = x.response ? { ...x.response, body: scrubBytes(x.response.body) } : undefined;
  const json = scrubExchange(exchangeToJson({ ...x, request, ...(response ? { response } : {}) }, maxBodyBytes));
  // Sizes stay those of the bodies as sent.
  json.request.body.size = x.request.body.length;
  if (json.response && x.response) json.response.body.size = x.response.body.length;
  return json;
}
