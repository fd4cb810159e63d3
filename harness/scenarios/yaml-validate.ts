/**
 * Parse a YAML file keeping positions, validate it against a JSON Schema, and report problems as
 * `<file>:<line>: <what is wrong>` — for suite files and runtime.yaml alike.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';

/** A problem in a user's YAML file, with where it is. The CLI prints it alone and exits 2. */
export class SuiteError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly problem: string,
  ) {
    super(`${file}${line !== undefined ? `:${line}` : ''}: ${problem}`);
    this.name = 'SuiteError';
  }
}

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
  const ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: true, allowUnionTypes: true });
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
  const specific = errors.filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'anyOf' && e.keyword !== 'if');
  const pool = specific.length > 0 ? specific : errors;
  // additionalProperties (a typo'd key) is the most useful message when present.
  const unknownKey = pool.find((e) => e.keyword === 'additionalProperties');
  if (unknownKey) return unknownKey;
  return [...pool].sort((a, b) => b.instancePath.length - a.instancePath.length)[0]!;
}

function describe(e: ErrorObject, where: string): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties':
      return `${where} has unknown key "${String(p['additionalProperty'])}"`;
    case 'required':
      return `${where} is missing "${String(p['missingProperty'])}"`;
    case 'enum':
      return `${where} must be one of ${(p['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'type':
      return `${where} must be ${String(p['type'])}`;
    case 'pattern':
      return `${where} must match ${String(p['pattern'])}`;
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
    if (hint && specific.length === 0 && errors.every((x) => x.keyword === 'oneOf' || x.keyword === 'required' || x.instancePath.length <= e.instancePath.length)) {
      throw new SuiteError(parsed.file, parsed.lineOf(segs), `${readablePath(segs)} ${hint}`);
    }
  }
  const e = bestError(errors);
  const segs = pathSegments(e.instancePath);
  const line =
    e.keyword === 'additionalProperties'
      ? lineOfKey(parsed, segs, String((e.params as Record<string, unknown>)['additionalProperty']))
      : parsed.lineOf(segs);
  throw new SuiteError(parsed.file, line, describe(e, readablePath(segs)));
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

