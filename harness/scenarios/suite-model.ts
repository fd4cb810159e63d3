/**
 * The scenario language after loading: what `suites/*.yaml` say, validated and normalised (durations in ms, events
 * as bytes), with the file and line of every case and step so verdicts can point back at their source.
 */
import type { InvocationFaults } from '../fake-runtime-api/faults.ts';
import type { ExchangeKind } from '../model/recording.ts';
import type { Level } from '../model/report-model.ts';

export type { Level };

export interface SourceLocation {
  file: string;
  line: number;
}

export interface SuiteFile {
  path: string;
  area: string;
  description?: string;
  cases: ScenarioCase[];
}

export type BootstrapVariant =
  | 'missing'
  | 'not-executable'
  | 'crlf-shebang'
  | 'no-shebang'
  | 'interpreter-missing'
  | 'env-interpreter-missing'
  | 'foreign-architecture'
  | 'exits-before-next'
  | 'never-calls-next';

/** Per-case function configuration; absent fields keep the runtime's defaults. */
export interface FunctionSpec {
  handler?: string;
  memoryMb?: number;
  timeoutMs?: number;
  initTimeoutMs?: number;
  environment?: Record<string, string>;
  bootstrap?: BootstrapVariant;
}

export interface ScenarioCase {
  id: string;
  area: string;
  title: string;
  level: Level;
  rationale?: string;
  requirement: string;
  source: string;
  needs: string[];
  /** Wall-clock limit for the whole case. */
  timeoutMs: number;
  function: FunctionSpec;
  steps: Step[];
  /** Checks over the whole case's recording. */
  throughout?: CaseInvariants;
  location: SourceLocation;
}

export interface CaseInvariants {
  /** At most this many exchanges of a kind outstanding at any one moment of the case. */
  maxOutstanding?: Partial<Record<'next' | 'response' | 'error', number>>;
}

/** A JSON matcher: subset for objects, exact for arrays and scalars, `$`-operators (see match.ts). */
export type Matcher = unknown;
/**
 * A string, or `{ regex }` / `{ $regex }`, or `{ json }`: the string parsed as JSON and matched by `Matcher`
 * (`ifPresent: true`: an absent value passes, for optional headers whose content is judged when sent).
 */
export type StringMatcher = string | { regex: string } | { $regex: string } | { json: Matcher; ifPresent?: boolean };

export interface ResultExpectation {
  status?: number;
  payload?: Matcher;
  payloadText?: StringMatcher;
  payloadSize?: number;
  functionError?: 'Unhandled' | 'none';
  errorType?: StringMatcher;
  errorMessage?: StringMatcher;
  outcome?: 'response' | 'function-error' | 'platform-error';
  streamed?: boolean;
  streamError?: { errorType?: StringMatcher; errorBody?: StringMatcher };
  contentType?: StringMatcher;
}

export type NumberRange = number | { min?: number; max?: number };

export interface ExchangeMatcher {
  method?: string;
  path?: StringMatcher;
  kind?: ExchangeKind;
  /** Header matchers by case-insensitive name; null = must be absent. */
  headers?: Record<string, StringMatcher | null>;
  json?: Matcher;
  body?: StringMatcher;
  bodySize?: number;
  chunked?: boolean;
  chunks?: NumberRange;
  chunkGapMs?: { min?: number; max?: number };
  /** First to last data chunk arrival. */
  chunkSpanMs?: { min?: number; max?: number };
  trailers?: Record<string, StringMatcher | null>;
  status?: number;
  /** A framing fault kind, `any`, or `none`. */
  fault?: string;
  /** Exactly this many exchanges match. Without it: at least one, in order when the wire expectation is ordered. */
  count?: number;
}

export interface WireExpectation {
  ordered: boolean;
  exclusive: boolean;
  exchanges: ExchangeMatcher[];
}

export interface ProcessExpectation {
  samePid?: boolean;
  exited?: { code?: number; nonZero?: boolean };
  reinitialised?: boolean;
  alive?: boolean;
}

export interface LogsExpectation {
  contains?: StringMatcher[];
  notContains?: StringMatcher[];
  /** Each matcher matches (by subset) some line of the runtime's output that is a JSON object. */
  json?: Matcher[];
  /** No JSON-object line of the runtime's output matches any of these. */
  notJson?: Matcher[];
  report?: {
    initDuration?: 'present' | 'absent' | Matcher;
    status?: 'timeout' | 'error' | 'none';
    errorType?: StringMatcher;
    maxMemoryUsed?: NumberRange;
    duration?: NumberRange;
  };
}

export interface TimingsExpectation {
  handedOutWithinMs?: number;
  durationMaxMs?: number;
  firstByteLeadMs?: number;
  initMinMs?: number;
  initMaxMs?: number;
}

export interface Expectations {
  result?: ResultExpectation;
  wire?: WireExpectation;
  process?: ProcessExpectation;
  logs?: LogsExpectation;
  timings?: TimingsExpectation;
}

interface StepBase {
  location: SourceLocation;
  expect: Expectations;
}

export interface InvokeStep extends StepBase {
  kind: 'invoke';
  payload: Buffer;
  clientContext?: string;
  cognitoIdentity?: string;
  tenantId?: string;
  traceId?: string;
  stream: boolean;
  logTail: boolean;
  faults?: InvocationFaults;
}

export interface WaitForInitStep extends StepBase {
  kind: 'waitForInit';
  timeoutMs: number;
}

export interface ExpectExitStep extends StepBase {
  kind: 'expectExit';
  withinMs: number;
  code?: number;
  nonZero?: boolean;
}

export interface SleepStep extends StepBase {
  kind: 'sleep';
  ms: number;
}

export type Step = InvokeStep | WaitForInitStep | ExpectExitStep | SleepStep;

/**
 * Capabilities a runtime.yaml can declare and a case can need:
 * - streaming: response streaming;
 * - handler: the runtime loads the function named by _HANDLER (compiled runtimes such as Go and Rust ignore it).
 */
export const KNOWN_CAPABILITIES = ['streaming', 'handler', 'logging'] as const;

export const DEFAULT_CASE_TIMEOUT_MS = 30_000;
