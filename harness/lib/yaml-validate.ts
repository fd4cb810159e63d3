/**
 * Parse a YAML file keeping positions, validate it against a JSON Schema, and report problems as
 * `<file>:<line>: <what is wrong>` — for suite files and runtime.yaml alike.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import { SuiteError } from './suite-error.ts';

// Kept in a module of its own so the CLI can catch it without loading ajv and yaml.
export { SuiteError };

export interface ParsedYaml {
  /** Path as shown to the user (relative to cwd when shorter). */
  file: string;
  value: unknown;
  /** Line (1-based) of the node at a path of keys/indexes; the nearest existing ancestor if the path is missing. */
  lineOf(path: ReadonlyArray<string | number>): number | undefined;
}

export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && rel.length < path.length ? rel : path;
}

export function readYaml(path: string): ParsedYaml {
  const file = displayPath(path);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new SuiteError(file, undefined, `cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const first = doc.errors[0];
  if (first) {
    const line = first.linePos?.[0]?.line ?? (first.pos ? lineCounter.linePos(first.pos[0]).line : undefined);
    throw new SuiteError(file, line, `YAML syntax error: ${first.message.split('\n')[0]}`);
  }
  return {
    file,
    value: doc.toJS({ maxAliasCount: 100 }) as unknown,
    lineOf: (path) => lineOfPath(doc, lineCounter, path),
  };
}

function lineOfPath(doc: Document, lc: LineCounter, path: ReadonlyArray<string | number>): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) return lc.linePos(node.range[0]).line;
  }
  return undefined;
}

/** Line of a key inside the map at `path` (for "unknown key" errors). */
function lineOfKey(parsed: ParsedYaml, path: ReadonlyArray<string | number>, key: string): number | undefined {
  return parsed.lineOf([...path, key]) ?? parsed.lineOf(path);
}

export function compileSchema(schema: object): ValidateFunction {
  // verbose: errors carry their schema, so an unknown key can be answered with the keys that are allowed there.
  // validateSchema off: checking our own schemas against the 2020-12 meta-schema costs ≈ 70 ms at every start;
  // scenarios/schemas.test.ts does it once instead.
  const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true, verbose: true, validateSchema: false });
  return ajv.compile(schema);
}

function pathSegments(instancePath: string): Array<string | number> {
  if (!instancePath) return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function readablePath(segments: ReadonlyArray<string | number>): string {
  let out = '';
  for (const s of segments) out += typeof s === 'number' ? `[${s}]` : out ? `.${s}` : s;
  return out || '(top level)';
}

/** Pick the error a person should see first: the deepest one that is not a oneOf/anyOf summary. */
function bestError(errors: readonly ErrorObject[]): ErrorObject {
  // Summaries (oneOf, if/then) and the inner `not` of propertyNames say less than the errors beside them.
  const specific = errors.filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'anyOf' && e.keyword !== 'if' && e.keyword !== 'not');
  const pool = specific.length > 0 ? specific : errors;
  // additionalProperties (a typo'd key) is the most useful message when present.
  const unknownKey = pool.find((e) => e.keyword === 'additionalProperties');
  if (unknownKey) return unknownKey;
  return [...pool].sort((a, b) => b.instancePath.length - a.instancePath.length)[0]!;
}

/** Keys a schema object allows, for "unknown key" messages. */
function allowedKeys(e: ErrorObject): string[] {
  const props = isPlainObject(e.parentSchema) ? e.parentSchema['properties'] : undefined;
  return isPlainObject(props) ? Object.keys(props) : [];
}

/** Edit distance, to suggest the key a typo meant (inputs are short keys). */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

function unknownKey(e: ErrorObject, where: string): string {
  const key = String((e.params as Record<string, unknown>)['additionalProperty']);
  const allowed = allowedKeys(e);
  const close = allowed
    .map((k) => ({ k, d: editDistance(key.toLowerCase(), k.toLowerCase()) }))
    // Two edits cover swapped or dropped letters in short keys; longer keys tolerate a third of their length.
    .filter((c) => c.d <= Math.max(2, Math.floor(key.length / 3)) && c.d < key.length)
    .sort((a, b) => a.d - b.d)[0];
  // Matcher operators are the only schema keys that start with "$"; naming them helps more than "unknown key".
  const what = key.startsWith('$') ? 'unknown matcher operator' : 'unknown key';
  const hint = close ? ` (did you mean "${close.k}"?)` : key.startsWith('$') && allowed.length > 0 ? ` (known: ${allowed.join(', ')})` : '';
  return `${where} has ${what} "${key}"${hint}`;
}

function describe(e: ErrorObject, where: string, all: readonly ErrorObject[]): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties':
      return unknownKey(e, where);
    case 'required':
      return `${where} is missing "${String(p['missingProperty'])}"`;
    case 'enum':
      return `${where} must be one of ${(p['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `${where} must be ${JSON.stringify(p['allowedValue'])}`;
    case 'type':
      return `${where} must be ${String(p['type'])}`;
    case 'pattern':
      // Inside propertyNames it is a key, not the value, that fails the pattern.
      if (e.propertyName !== undefined) return `${where} has key "${e.propertyName}" that must match ${String(p['pattern'])}`;
      return `${where} must match ${String(p['pattern'])}`;
    case 'propertyNames': {
      const name = String(p['propertyName']);
      // Matchers refuse "$" keys beside plain ones with a `not`; other propertyNames schemas refuse by pattern.
      const byNot = all.some((x) => x.instancePath === e.instancePath && x.keyword === 'not' && x.propertyName === name);
      if (byNot)
        return `${where} mixes the matcher operator "${name}" with plain keys (an object is either all $-operators or a subset match)`;
      return `${where} has an invalid key "${name}"`;
    }
    default:
      return `${where} ${e.message ?? 'is invalid'}`;
  }
}

/** Validate and throw a SuiteError pointing at the offending line. `oneOfHints` explains oneOf failures by path suffix. */
export function validateYaml(parsed: ParsedYaml, validate: ValidateFunction, oneOfHints: Record<string, string> = {}): void {
  if (validate(parsed.value)) return;
  const errors = validate.errors ?? [];
  // A oneOf over "exactly one of these keys" reads better as our own sentence.
  for (const e of errors) {
    if (e.keyword !== 'oneOf') continue;
    const segs = pathSegments(e.instancePath);
    const last = segs[segs.length - 1];
    const hint = typeof last === 'string' ? oneOfHints[last] : typeof last === 'number' ? oneOfHints['[]'] : undefined;
    const specific = errors.filter((x) => x !== e && x.instancePath.startsWith(e.instancePath) && x.keyword === 'additionalProperties');
    if (
      hint &&
      specific.length === 0 &&
      errors.every((x) => x.keyword === 'oneOf' || x.keyword === 'required' || x.instancePath.length <= e.instancePath.length)
    ) {
      throw new SuiteError(parsed.file, parsed.lineOf(segs), `${readablePath(segs)} ${hint}`);
    }
  }
  const e = bestError(errors);
  const segs = pathSegments(e.instancePath);
  const params = e.params as Record<string, unknown>;
  // Errors about a key (unknown, or a name a pattern refuses) point at the key's own line.
  const badKey =
    e.keyword === 'additionalProperties'
      ? String(params['additionalProperty'])
      : e.keyword === 'propertyNames'
        ? String(params['propertyName'])
        : e.propertyName;
  const line = badKey !== undefined ? lineOfKey(parsed, segs, badKey) : parsed.lineOf(segs);
  throw new SuiteError(parsed.file, line, describe(e, readablePath(segs), errors));
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
