/**
 * Matchers: JSON values by subset with `$` operators, strings exactly or by regex, and wire exchanges against the
 * recording. Every mismatch comes back as a finding with a path, what was expected and what was there.
 */
import { scrub } from '../secrets/scrub.ts';
import { headerValue, type Exchange, type ExchangeKind, type RecordedHeader } from '../model/recording.ts';
import type { ExchangeMatcher, NumberRange, StringMatcher, WireExpectation } from './suite-model.ts';

export interface MatchFailure {
  path: string;
  expected: string;
  actual: string;
}

export interface MatchContext {
  /** What `{{requestId}}` stands for: the step's request id. */
  requestId?: string;
  /**
   * What `{{anyRequestId}}` stands for: any of these ids. matchWire falls back to the ids the step's `/next`
   * exchanges handed out; elsewhere, without ids, `{{anyRequestId}}` matches nothing.
   */
  allRequestIds?: readonly string[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A value for a finding, at most `max` characters; secrets are scrubbed before the cut, so none leaves a prefix. */
export function show(v: unknown, max = 200): string {
  if (v === undefined) return 'absent';
  if (Buffer.isBuffer(v)) return `<${v.length} bytes>`;
  const raw = JSON.stringify(v);
  if (raw === undefined) return String(v);
  const s = scrub(raw);
  return s.length > max ? `${s.slice(0, max)}… (${s.length} chars)` : s;
}

const TEMPLATE = /\{\{(requestId|anyRequestId)\}\}/g;

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** `{{requestId}}` filled in, for showing what was expected (`{{anyRequestId}}` stays as written). */
function template(s: string, ctx: MatchContext): string {
  return ctx.requestId === undefined ? s : s.replaceAll('{{requestId}}', ctx.requestId);
}

/** Regex source for a template: `{{requestId}}` → that id, `{{anyRequestId}}` → any known id; `literal` escapes the rest. */
function templateSource(s: string, ctx: MatchContext, literal: boolean): string {
  let out = '';
  let last = 0;
  for (const m of s.matchAll(TEMPLATE)) {
    const text = s.slice(last, m.index);
    out += literal ? escapeRegex(text) : text;
    if (m[1] === 'requestId') out += escapeRegex(ctx.requestId ?? '{{requestId}}');
    else out += ctx.allRequestIds && ctx.allRequestIds.length > 0 ? `(?:${ctx.allRequestIds.map(escapeRegex).join('|')})` : '(?!)';
    last = m.index + m[0].length;
  }
  const rest = s.slice(last);
  return out + (literal ? escapeRegex(rest) : rest);
}

function hasTemplate(s: string): boolean {
  return s.includes('{{requestId}}') || s.includes('{{anyRequestId}}');
}

/** Exact string equality with templates expanded. */
function stringEquals(expected: string, actual: unknown, ctx: MatchContext): boolean {
  if (typeof actual !== 'string') return false;
  if (!hasTemplate(expected)) return expected === actual;
  return new RegExp(`^${templateSource(expected, ctx, true)}$`).test(actual);
}

/** A regex with templates expanded; undefined when it does not compile (the loader rejects such files first). */
function compileRegex(source: string, ctx: MatchContext): RegExp | undefined {
  try {
    return new RegExp(templateSource(source, ctx, false));
  } catch {
    return undefined;
  }
}

function regexTest(source: string, actual: unknown, ctx: MatchContext): boolean {
  return typeof actual === 'string' && compileRegex(source, ctx)?.test(actual) === true;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v);
}

function isOperatorObject(v: unknown): v is Record<string, unknown> {
  return isPlainObject(v) && Object.keys(v).length > 0 && Object.keys(v).every((k) => k.startsWith('$'));
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** Deep equality of an expected value (strings may hold templates) with an actual one. */
function deepEqual(expected: unknown, actual: unknown, ctx: MatchContext): boolean {
  if (typeof expected === 'string') return stringEquals(expected, actual, ctx);
  if (expected === actual) return true;
  if (Array.isArray(expected) && Array.isArray(actual))
    return expected.length === actual.length && expected.every((x, i) => deepEqual(x, actual[i], ctx));
  if (isPlainObject(expected) && isPlainObject(actual)) {
    const keys = Object.keys(expected);
    return keys.length === Object.keys(actual).length && keys.every((k) => k in actual && deepEqual(expected[k], actual[k], ctx));
  }
  return false;
}

function operator(op: string, arg: unknown, actual: unknown, ctx: MatchContext, path: string): MatchFailure[] {
  const fail = (expected: string): MatchFailure[] => [{ path, expected, actual: show(actual) }];
  switch (op) {
    case '$regex':
      return regexTest(String(arg), actual, ctx) ? [] : fail(`a string matching /${template(String(arg), ctx)}/`);
    case '$type':
      return typeOf(actual) === arg || (arg === 'number' && typeof actual === 'number') ? [] : fail(`type ${String(arg)}`);
    case '$any':
      return actual !== undefined ? [] : fail('present');
    case '$absent':
      return actual === undefined ? [] : fail('absent');
    case '$nullish':
      // The contract's "null" read as a serialiser may write it: null, or the member left out (Jackson NON_NULL).
      return actual === undefined || actual === null ? [] : fail('null or absent');
    case '$exact':
      return deepEqual(arg, actual, ctx) ? [] : fail(show(templateValue(arg, ctx)));
    case '$gte':
      return typeof actual === 'number' && actual >= Number(arg) ? [] : fail(`≥ ${String(arg)}`);
    case '$lte':
      return typeof actual === 'number' && actual <= Number(arg) ? [] : fail(`≤ ${String(arg)}`);
    case '$len': {
      const len = typeof actual === 'string' || Array.isArray(actual) ? actual.length : undefined;
      return len !== undefined && inRange(len, arg as NumberRange) ? [] : fail(`length ${showRange(arg as NumberRange)}`);
    }
    case '$oneOf': {
      const options = arg as unknown[];
      return options.some((m) => matchValue(m, actual, ctx, path).length === 0) ? [] : fail(`one of ${show(options)}`);
    }
    case '$not':
      return matchValue(arg, actual, ctx, path).length > 0 ? [] : fail(`not ${show(arg)}`);
    case '$contains':
      if (typeof actual === 'string' && typeof arg === 'string') {
        return new RegExp(templateSource(arg, ctx, true)).test(actual) ? [] : fail(`a string containing ${show(template(arg, ctx))}`);
      }
      if (Array.isArray(actual))
        return actual.some((x) => matchValue(arg, x, ctx, path).length === 0) ? [] : fail(`an array containing ${show(arg)}`);
      return fail(`something containing ${show(arg)}`);
    default:
      return [{ path, expected: `a known operator (${op} is not one)`, actual: show(actual) }];
  }
}

function templateValue(v: unknown, ctx: MatchContext): unknown {
  if (typeof v === 'string') return template(v, ctx);
  if (Array.isArray(v)) return v.map((x) => templateValue(x, ctx));
  if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, templateValue(x, ctx)]));
  return v;
}

/** Match a JSON value: objects by subset, arrays and scalars exactly, operator objects by their operators (all must hold). */
export function matchValue(matcher: unknown, actual: unknown, ctx: MatchContext = {}, path = '$'): MatchFailure[] {
  if (isOperatorObject(matcher)) return Object.entries(matcher).flatMap(([op, arg]) => operator(op, arg, actual, ctx, path));
  if (isPlainObject(matcher)) {
    if (!isPlainObject(actual)) return [{ path, expected: 'an object', actual: show(actual) }];
    const out: MatchFailure[] = [];
    for (const [k, m] of Object.entries(matcher)) {
      const sub = `${path}.${k}`;
      if (k in actual) out.push(...matchValue(m, actual[k], ctx, sub));
      // A missing key is `undefined` to operators, so $absent, { $not: { $any: true } } and $oneOf with $absent hold.
      else if (isOperatorObject(m)) out.push(...matchValue(m, undefined, ctx, sub));
      else out.push({ path: sub, expected: show(templateValue(m, ctx)), actual: 'absent' });
    }
    return out;
  }
  if (Array.isArray(matcher)) {
    if (!Array.isArray(actual) || actual.length !== matcher.length) return [{ path, expected: show(matcher), actual: show(actual) }];
    return matcher.flatMap((m, i) => matchValue(m, actual[i], ctx, `${path}[${i}]`));
  }
  return deepEqual(matcher, actual, ctx) ? [] : [{ path, expected: show(templateValue(matcher, ctx)), actual: show(actual) }];
}

/** A string matcher: exact string, or `{ regex }` / `{ $regex }`. */
export function matchString(matcher: StringMatcher, actual: string | undefined, ctx: MatchContext = {}, path = '$'): MatchFailure[] {
  if (typeof matcher === 'string') {
    return stringEquals(matcher, actual, ctx) ? [] : [{ path, expected: show(template(matcher, ctx)), actual: show(actual) }];
  }
  if ('json' in matcher) {
    // A header carrying a JSON document (the X-Ray error cause): judged as JSON, not by key order or spacing.
    if (actual === undefined) return matcher.ifPresent === true ? [] : [{ path, expected: `JSON ${show(matcher.json)}`, actual: 'absent' }];
    let value: unknown;
    try {
      value = JSON.parse(actual) as unknown;
    } catch {
      return [{ path, expected: `JSON ${show(matcher.json)}`, actual: `not JSON: ${show(actual)}` }];
    }
    return matchValue(matcher.json, value, ctx, path);
  }
  const source = 'regex' in matcher ? matcher.regex : matcher.$regex;
  if (regexTest(source, actual, ctx)) return [];
  return [{ path, expected: `a string matching /${template(source, ctx)}/`, actual: show(actual) }];
}

export function inRange(n: number, range: NumberRange): boolean {
  if (typeof range === 'number') return n === range;
  return (range.min === undefined || n >= range.min) && (range.max === undefined || n <= range.max);
}

export function showRange(range: NumberRange): string {
  if (typeof range === 'number') return String(range);
  if (range.min !== undefined && range.max !== undefined) return `between ${range.min} and ${range.max}`;
  return range.min !== undefined ? `≥ ${range.min}` : `≤ ${range.max}`;
}

function bodyText(x: Exchange): string | undefined {
  try {
    return utf8.decode(x.request.body);
  } catch {
    return undefined;
  }
}

function headerMatches(
  headers: readonly RecordedHeader[],
  want: Record<string, StringMatcher | null>,
  ctx: MatchContext,
  path: string,
): MatchFailure[] {
  const out: MatchFailure[] = [];
  for (const [name, m] of Object.entries(want)) {
    const value = headerValue(headers, name);
    if (m === null) {
      if (value !== undefined) out.push({ path: `${path}.${name}`, expected: 'absent', actual: show(value) });
    } else {
      out.push(...matchString(m, value, ctx, `${path}.${name}`));
    }
  }
  return out;
}

/** Why `x` does not match `m` ([] when it does). */
export function matchExchange(m: ExchangeMatcher, x: Exchange, ctx: MatchContext, path = 'exchange'): MatchFailure[] {
  const out: MatchFailure[] = [];
  const req = x.request;
  if (m.method !== undefined && req.method !== m.method) out.push({ path: `${path}.method`, expected: m.method, actual: req.method });
  if (m.kind !== undefined && x.kind !== m.kind) out.push({ path: `${path}.kind`, expected: m.kind, actual: x.kind });
  if (m.path !== undefined) out.push(...matchString(m.path, req.target, ctx, `${path}.path`));
  if (m.status !== undefined && x.response?.status !== m.status)
    out.push({ path: `${path}.status`, expected: String(m.status), actual: show(x.response?.status) });
  if (m.headers) out.push(...headerMatches(req.headers, m.headers, ctx, `${path}.headers`));
  if (m.trailers) out.push(...headerMatches(req.trailers, m.trailers, ctx, `${path}.trailers`));
  if (m.bodySize !== undefined && req.body.length !== m.bodySize)
    out.push({ path: `${path}.bodySize`, expected: String(m.bodySize), actual: String(req.body.length) });
  if (m.body !== undefined) out.push(...matchString(m.body, bodyText(x), ctx, `${path}.body`));
  if (m.json !== undefined) {
    let parsed: unknown;
    let ok = true;
    try {
      parsed = JSON.parse(req.body.toString('utf8'));
    } catch {
      ok = false;
    }
    if (!ok) out.push({ path: `${path}.json`, expected: 'a JSON body', actual: show(bodyText(x)) });
    else out.push(...matchValue(m.json, parsed, ctx, `${path}.json`));
  }
  if (m.chunked !== undefined && req.chunked !== m.chunked)
    out.push({ path: `${path}.chunked`, expected: String(m.chunked), actual: String(req.chunked) });
  const dataChunks = req.chunks.filter((c) => c.size > 0);
  if (m.chunks !== undefined && !inRange(dataChunks.length, m.chunks)) {
    out.push({ path: `${path}.chunks`, expected: `${showRange(m.chunks)} data chunks`, actual: String(dataChunks.length) });
  }
  if (m.chunkGapMs) {
    const gaps = dataChunks.slice(1).map((c, i) => c.at - dataChunks[i]!.doneAt);
    const bad = gaps.find(
      (g) => (m.chunkGapMs!.min !== undefined && g < m.chunkGapMs!.min) || (m.chunkGapMs!.max !== undefined && g > m.chunkGapMs!.max),
    );
    if (gaps.length === 0 || bad !== undefined) {
      out.push({
        path: `${path}.chunkGapMs`,
        expected: `gaps ${showRange(m.chunkGapMs)} ms`,
        actual: gaps.length ? gaps.map((g) => g.toFixed(0)).join(', ') : 'fewer than two data chunks',
      });
    }
  }
  if (m.chunkSpanMs) {
    const span = dataChunks.length > 0 ? dataChunks[dataChunks.length - 1]!.doneAt - dataChunks[0]!.at : undefined;
    if (span === undefined || !inRange(span, m.chunkSpanMs)) {
      out.push({
        path: `${path}.chunkSpanMs`,
        expected: `first to last chunk ${showRange(m.chunkSpanMs)} ms`,
        actual: span === undefined ? 'no data chunks' : `${span.toFixed(0)} ms`,
      });
    }
  }
  if (m.fault !== undefined) {
    const kind = x.fault?.kind;
    const ok = m.fault === 'none' ? kind === undefined : m.fault === 'any' ? kind !== undefined : kind === m.fault;
    if (!ok) out.push({ path: `${path}.fault`, expected: m.fault, actual: kind ?? 'none' });
  }
  return out;
}

function describeMatcher(m: ExchangeMatcher): string {
  const parts: string[] = [];
  if (m.method) parts.push(m.method);
  if (m.kind) parts.push(`kind ${m.kind}`);
  if (m.path)
    parts.push(
      typeof m.path === 'string' ? m.path : 'json' in m.path ? show(m.path.json) : `/${'regex' in m.path ? m.path.regex : m.path.$regex}/`,
    );
  if (m.status !== undefined) parts.push(`→ ${m.status}`);
  return parts.join(' ') || 'any exchange';
}

const KIND_NAME: Record<ExchangeKind, string> = {
  next: 'GET /next',
  response: '/response',
  error: '/error',
  'init-error': '/init/error',
  unknown: 'request to an unknown route',
};

function describeExchange(x: Exchange): string {
  return `${x.request.method} ${x.request.target}${x.response ? ` → ${x.response.status}` : ''}${x.fault ? ` (fault ${x.fault.kind})` : ''}`;
}

export interface WireMatch {
  failures: MatchFailure[];
  /** Exchanges that satisfied a matcher: the verdict's evidence. */
  matched: Exchange[];
}

/**
 * Match a step's exchanges. Matchers with `count` are counted over all exchanges; the others must each match a
 * distinct exchange, in order when `ordered`. With `exclusive`, no exchange may be left unmatched.
 */
export function matchWire(spec: WireExpectation, exchanges: readonly Exchange[], context: MatchContext): WireMatch {
  // Ids handed out by /next, not ids a runtime named in a path: a bogus id must not satisfy {{anyRequestId}}.
  const handedOut = exchanges.flatMap((x) => (x.kind === 'next' && x.requestId !== undefined ? [x.requestId] : []));
  const ctx: MatchContext = { ...context, allRequestIds: context.allRequestIds ?? handedOut };
  const failures: MatchFailure[] = [];
  const matched = new Set<Exchange>();
  let cursor = 0;
  spec.exchanges.forEach((m, i) => {
    const path = `wire.exchanges[${i}]`;
    if (m.count !== undefined) {
      const hits = exchanges.filter((x) => matchExchange(m, x, ctx).length === 0);
      hits.forEach((x) => matched.add(x));
      if (hits.length !== m.count) {
        failures.push({
          path,
          expected: `${m.count} × ${describeMatcher(m)}`,
          actual: `${hits.length}${hits.length ? `: ${hits.slice(0, 3).map(describeExchange).join('; ')}` : ''}`,
        });
      }
      return;
    }
    const candidates = spec.ordered ? exchanges.slice(cursor) : exchanges.filter((x) => !matched.has(x));
    const hit = candidates.find((x) => !matched.has(x) && matchExchange(m, x, ctx).length === 0);
    if (hit) {
      matched.add(hit);
      if (spec.ordered) cursor = exchanges.indexOf(hit) + 1;
      return;
    }
    // Nothing of the kind the matcher names: say what is missing, not how some other exchange differs.
    if (m.kind !== undefined && !exchanges.some((x) => x.kind === m.kind)) {
      failures.push({
        path,
        expected: describeMatcher(m),
        actual: `no ${KIND_NAME[m.kind]} in this step${exchanges.length ? ` (there were: ${exchanges.slice(0, 4).map(describeExchange).join('; ')}${exchanges.length > 4 ? '; …' : ''})` : ': no exchanges at all'}`,
      });
      return;
    }
    // Explain with the closest candidate: the one with the fewest mismatches.
    const pool = candidates.length > 0 ? candidates : exchanges;
    let best: MatchFailure[] | undefined;
    for (const x of pool) {
      const f = matchExchange(m, x, ctx, path);
      if (!best || f.length < best.length) best = f;
    }
    if (best && best.length > 0 && pool.length > 0) failures.push(...best);
    else
      failures.push({
        path,
        expected: describeMatcher(m),
        actual: exchanges.length ? 'no matching exchange' + (spec.ordered ? ' after the previous match' : '') : 'no exchanges',
      });
  });
  if (spec.exclusive) {
    const extra = exchanges.filter((x) => !matched.has(x));
    if (extra.length > 0)
      failures.push({ path: 'wire', expected: 'no exchanges beyond the listed ones', actual: extra.map(describeExchange).join('; ') });
  }
  return { failures, matched: exchanges.filter((x) => matched.has(x)) };
}
