/**
 * Loading suite files: YAML → schema validation with line numbers → semantic checks → the normalised model.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { InvocationFaults } from '../fake-runtime-api/faults.ts';
import { parseDuration } from '../lib/parse-duration.ts';
import {
  DEFAULT_CASE_TIMEOUT_MS,
  KNOWN_CAPABILITIES,
  type Expectations,
  type FunctionSpec,
  type ScenarioCase,
  type SourceLocation,
  type Step,
  type SuiteFile,
} from './suite-model.ts';
import { compileSchema, isPlainObject, readYaml, SuiteError, validateYaml, type ParsedYaml } from '../lib/yaml-validate.ts';

export { SuiteError };

export const SUITE_SCHEMA_PATH = fileURLToPath(new URL('../../suites/suite.schema.json', import.meta.url));
export const DEFAULT_SUITE_DIR = fileURLToPath(new URL('../../suites/conformance', import.meta.url));

let validator: ReturnType<typeof compileSchema> | undefined;
function suiteValidator(): ReturnType<typeof compileSchema> {
  validator ??= compileSchema(JSON.parse(readFileSync(SUITE_SCHEMA_PATH, 'utf8')) as object);
  return validator;
}

const ONE_OF_HINTS = {
  invoke: 'needs exactly one of event, rawEvent, rawEventBase64, eventSize',
  '[]': 'needs exactly one action: invoke, waitForInit, expectExit or sleep',
};

type Raw = Record<string, unknown>;

function ms(v: unknown): number | undefined {
  return v === undefined ? undefined : parseDuration(v);
}

/** A JSON string event of exactly `size` bytes: `"aaa…a"`. */
export function sizedEvent(size: number): Buffer {
  const buf = Buffer.alloc(size, 0x61);
  buf[0] = 0x22;
  buf[size - 1] = 0x22;
  return buf;
}

function normaliseFaults(raw: Raw | undefined): InvocationFaults | undefined {
  if (!raw) return undefined;
  const f: InvocationFaults = {};
  if (raw['nextHeaders'] !== undefined) f.nextHeaders = raw['nextHeaders'] as Record<string, string | null>;
  if (raw['deadlineOffset'] !== undefined) f.deadlineOffsetMs = ms(raw['deadlineOffset'])!;
  if (raw['delayNext'] !== undefined) f.delayNextMs = ms(raw['delayNext'])!;
  if (raw['nextStatus'] !== undefined) f.nextStatus = raw['nextStatus'] as number;
  if (raw['responseStatus'] !== undefined) f.responseStatus = raw['responseStatus'] as number;
  if (raw['reset'] !== undefined) f.reset = raw['reset'] as 'next' | 'response';
  return f;
}

function normaliseExpect(raw: Raw | undefined): Expectations {
  if (!raw) return {};
  const e: Expectations = {};
  if (raw['result']) e.result = raw['result'] as Expectations['result'];
  if (raw['wire']) {
    const w = raw['wire'] as Raw;
    e.wire = {
      ordered: w['ordered'] !== false,
      exclusive: w['exclusive'] === true,
      exchanges: w['exchanges'] as NonNullable<Expectations['wire']>['exchanges'],
    };
  }
  if (raw['process']) e.process = raw['process'] as Expectations['process'];
  if (raw['logs']) e.logs = raw['logs'] as Expectations['logs'];
  if (raw['timings']) {
    const t = raw['timings'] as Raw;
    e.timings = {
      ...(t['handedOutWithin'] !== undefined ? { handedOutWithinMs: ms(t['handedOutWithin'])! } : {}),
      ...(t['durationMax'] !== undefined ? { durationMaxMs: ms(t['durationMax'])! } : {}),
      ...(t['firstByteLeadMs'] !== undefined ? { firstByteLeadMs: t['firstByteLeadMs'] as number } : {}),
      ...(t['initMin'] !== undefined ? { initMinMs: ms(t['initMin'])! } : {}),
      ...(t['initMax'] !== undefined ? { initMaxMs: ms(t['initMax'])! } : {}),
    };
  }
  return e;
}

function normaliseStep(raw: Raw, location: SourceLocation): Step {
  const expect = normaliseExpect(raw['expect'] as Raw | undefined);
  if (raw['invoke']) {
    const inv = raw['invoke'] as Raw;
    let payload: Buffer;
    if ('event' in inv) payload = Buffer.from(JSON.stringify(inv['event']));
    else if (typeof inv['rawEvent'] === 'string') payload = Buffer.from(inv['rawEvent'], 'utf8');
    else if (typeof inv['rawEventBase64'] === 'string') payload = Buffer.from(inv['rawEventBase64'], 'base64');
    else payload = sizedEvent(inv['eventSize'] as number);
    const faults = normaliseFaults(inv['faults'] as Raw | undefined);
    return {
      kind: 'invoke',
      location,
      expect,
      payload,
      ...(inv['clientContext'] !== undefined
        ? { clientContext: typeof inv['clientContext'] === 'string' ? inv['clientContext'] : JSON.stringify(inv['clientContext']) }
        : {}),
      ...(inv['identity'] !== undefined ? { cognitoIdentity: JSON.stringify(inv['identity']) } : {}),
      ...(typeof inv['tenantId'] === 'string' ? { tenantId: inv['tenantId'] } : {}),
      ...(typeof inv['traceId'] === 'string' ? { traceId: inv['traceId'] } : {}),
      stream: inv['stream'] === true,
      logTail: inv['logTail'] === true,
      ...(faults ? { faults } : {}),
    };
  }
  if (raw['waitForInit']) {
    const w = raw['waitForInit'] as Raw;
    return { kind: 'waitForInit', location, expect, timeoutMs: ms(w['timeout']) ?? 15_000 };
  }
  if (raw['expectExit']) {
    const x = raw['expectExit'] as Raw;
    return {
      kind: 'expectExit',
      location,
      expect,
      withinMs: ms(x['within'])!,
      ...(typeof x['code'] === 'number' ? { code: x['code'] } : {}),
      ...(x['nonZero'] === true ? { nonZero: true } : {}),
    };
  }
  return { kind: 'sleep', location, expect, ms: ms(raw['sleep'])! };
}

function normaliseFunction(raw: Raw | undefined): FunctionSpec {
  if (!raw) return {};
  return {
    ...(typeof raw['handler'] === 'string' ? { handler: raw['handler'] } : {}),
    ...(typeof raw['memory'] === 'number' ? { memoryMb: raw['memory'] } : {}),
    ...(raw['timeout'] !== undefined ? { timeoutMs: ms(raw['timeout'])! } : {}),
    ...(raw['initTimeout'] !== undefined ? { initTimeoutMs: ms(raw['initTimeout'])! } : {}),
    ...(raw['environment'] ? { environment: raw['environment'] as Record<string, string> } : {}),
    ...(raw['bootstrap'] ? { bootstrap: raw['bootstrap'] as FunctionSpec['bootstrap'] } : {}),
  };
}

/** Checks the schema cannot express: id prefix, capability names, regexes that compile. */
function semanticChecks(parsed: ParsedYaml, area: string, rawCases: Raw[]): void {
  rawCases.forEach((c, i) => {
    const id = c['id'] as string;
    if (!id.startsWith(`${area}.`)) {
      throw new SuiteError(parsed.file, parsed.lineOf(['cases', i, 'id']), `case id "${id}" must start with the file's area "${area}."`);
    }
    for (const need of (c['needs'] as string[] | undefined) ?? []) {
      if (!(KNOWN_CAPABILITIES as readonly string[]).includes(need)) {
        throw new SuiteError(
          parsed.file,
          parsed.lineOf(['cases', i, 'needs']),
          `unknown capability "${need}" (known: ${KNOWN_CAPABILITIES.join(', ')})`,
        );
      }
    }
    checkRegexes(parsed, c, ['cases', i]);
  });
}

/** Every `regex` / `$regex` value must compile, reported at its own line. */
function checkRegexes(parsed: ParsedYaml, value: unknown, path: Array<string | number>): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => checkRegexes(parsed, v, [...path, i]));
    return;
  }
  if (!isPlainObject(value)) return;
  for (const [k, v] of Object.entries(value)) {
    if ((k === 'regex' || k === '$regex') && typeof v === 'string') {
      try {
        new RegExp(v);
      } catch (e) {
        throw new SuiteError(
          parsed.file,
          parsed.lineOf([...path, k]),
          `invalid regular expression ${JSON.stringify(v)}: ${(e as Error).message}`,
        );
      }
    } else {
      checkRegexes(parsed, v, [...path, k]);
    }
  }
}

export function loadSuiteFile(path: string): SuiteFile {
  const parsed = readYaml(path);
  if (!isPlainObject(parsed.value)) throw new SuiteError(parsed.file, 1, 'a suite file must be a mapping with "area" and "cases"');
  // Unknown keys are errors, not silently ignored: the schema says additionalProperties: false everywhere.
  validateYaml(parsed, suiteValidator(), ONE_OF_HINTS);
  const raw = parsed.value;
  const area = raw['area'] as string;
  const rawCases = raw['cases'] as Raw[];
  semanticChecks(parsed, area, rawCases);
  const cases: ScenarioCase[] = rawCases.map((c, i) => {
    const steps = (c['steps'] as Raw[]).map((s, j) =>
      normaliseStep(s, { file: parsed.file, line: parsed.lineOf(['cases', i, 'steps', j]) ?? 0 }),
    );
    return {
      id: c['id'] as string,
      area,
      title: c['title'] as string,
      level: c['level'] as ScenarioCase['level'],
      ...(typeof c['rationale'] === 'string' ? { rationale: c['rationale'] } : {}),
      requirement: (c['requirement'] as string).trim(),
      source: c['source'] as string,
      needs: (c['needs'] as string[] | undefined) ?? [],
      timeoutMs: ms(c['timeout']) ?? DEFAULT_CASE_TIMEOUT_MS,
      function: normaliseFunction(c['function'] as Raw | undefined),
      steps,
      ...(isPlainObject(c['throughout']) ? { throughout: c['throughout'] as NonNullable<ScenarioCase['throughout']> } : {}),
      location: { file: parsed.file, line: parsed.lineOf(['cases', i]) ?? 0 },
    };
  });
  return { path: parsed.file, area, ...(typeof raw['description'] === 'string' ? { description: raw['description'] } : {}), cases };
}

function suiteFilesUnder(path: string): string[] {
  const st = statSync(path);
  if (st.isFile()) return [path];
  const out: string[] = [];
  for (const name of readdirSync(path).sort()) {
    const full = join(path, name);
    if (statSync(full).isDirectory()) out.push(...suiteFilesUnder(full));
    else if (/\.ya?ml$/.test(name)) out.push(full);
  }
  return out;
}

/** Load files and folders (recursively, *.yaml / *.yml); duplicate case ids across them are an error naming both places. */
export function loadSuites(paths: readonly string[]): { files: SuiteFile[]; cases: ScenarioCase[] } {
  const files: SuiteFile[] = [];
  const seen = new Map<string, SourceLocation>();
  // A file named twice (a folder and a file inside it) is loaded once, not reported as duplicating itself.
  const loaded = new Set<string>();
  for (const p of paths) {
    let list: string[];
    try {
      list = suiteFilesUnder(resolve(p));
    } catch {
      throw new SuiteError(p, undefined, 'no such suite file or folder');
    }
    if (list.length === 0) throw new SuiteError(p, undefined, 'no *.yaml suite files here');
    for (const f of list) {
      if (loaded.has(f)) continue;
      loaded.add(f);
      const suite = loadSuiteFile(f);
      for (const c of suite.cases) {
        const prev = seen.get(c.id);
        if (prev)
          throw new SuiteError(
            c.location.file,
            c.location.line,
            `duplicate case id "${c.id}" (first defined at ${prev.file}:${prev.line})`,
          );
        seen.set(c.id, c.location);
      }
      files.push(suite);
    }
  }
  return { files, cases: files.flatMap((f) => f.cases) };
}
