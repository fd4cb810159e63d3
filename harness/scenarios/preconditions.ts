/**
 * What must have happened for a step's expectations to mean anything, and what the recording shows that no
 * expectation names but every case must report: the fault a step injects was delivered, and the runtime asked only
 * for routes the Runtime API serves. A case whose checks all hold but whose preconditions did not is inconclusive.
 */
import type { InvocationResult } from '../model/invocation.ts';
import type { ConnectionRecord, Exchange, ExchangeKind } from '../model/recording.ts';
import type { MatchFailure } from './match.ts';
import type { Step } from './suite-model.ts';

const NEXT = 'GET /2018-06-01/runtime/invocation/next';

/**
 * Lambda APIs a runtime may call that this fake does not serve (Extensions, Telemetry, Logs, SnapStart restore):
 * a 404 on one of them is the fake's gap, not the runtime's wrong URL.
 */
const OTHER_LAMBDA_APIS = [
  /^\/2020-01-01\/extension\//,
  /^\/2022-07-01\/telemetry/,
  /^\/2020-08-15\/logs/,
  /^\/2018-06-01\/runtime\/restore\//,
];

/** `METHOD target → status` for a request to a path the Runtime API does not serve; undefined for any other exchange. */
export function unknownRoute(x: Exchange): string | undefined {
  if (x.kind !== 'unknown' || x.fault || !x.response) return undefined;
  if (x.response.status !== 404 && x.response.status !== 405) return undefined;
  const path = x.request.target.split('?')[0]!;
  if (OTHER_LAMBDA_APIS.some((re) => re.test(path))) return undefined;
  return `${x.request.method} ${x.request.target} → ${x.response.status}`;
}

/** One finding per distinct unknown route among a step's exchanges. */
export function unknownRouteFindings(exchanges: readonly Exchange[]): MatchFailure[] {
  const routes = [...new Set(exchanges.flatMap((x) => unknownRoute(x) ?? []))];
  return routes.map((r) => ({
    path: 'wire.unknownRoute',
    expected: 'requests only to routes the Runtime API serves (/2018-06-01/runtime/…)',
    actual: r,
  }));
}

function requests(exchanges: readonly Exchange[]): string {
  if (exchanges.length === 0) return 'the runtime made no request to the Runtime API during the step';
  const shown = exchanges.slice(0, 4).map((x) => `${x.request.method} ${x.request.target}${x.response ? ` → ${x.response.status}` : ''}`);
  return `its requests were: ${shown.join('; ')}${exchanges.length > 4 ? `; … (${exchanges.length})` : ''}`;
}

function injectedOn(exchanges: readonly Exchange[], tag: string, kinds: readonly ExchangeKind[]): boolean {
  return exchanges.some((x) => x.injected === tag && kinds.includes(x.kind));
}

/**
 * Preconditions of a step, unmet ones only. Each fault an invoke step injects must have reached the runtime: a
 * status or reset on the request it targets, header and deadline changes on the `/next` that handed out the event.
 */
export function unmetPreconditions(step: Step, result: InvocationResult | undefined, exchanges: readonly Exchange[]): MatchFailure[] {
  if (step.kind !== 'invoke') return [];
  const handedOut = result !== undefined && exchanges.some((x) => x.kind === 'next' && x.requestId === result.requestId);
  const f = step.faults ?? {};
  const out: MatchFailure[] = [];
  // An exit judged after an invoke is the runtime's answer to the event only if it got the event (a fault on /next
  // itself is checked below instead).
  if (step.expect.process?.exited && f.nextStatus === undefined && f.reset !== 'next' && !handedOut) {
    out.push({
      path: 'precondition.handedOut',
      expected: `the event handed out by a ${NEXT}`,
      actual: `it never was: ${requests(exchanges)}`,
    });
  }
  const unmet = (name: string, expected: string): void => {
    out.push({ path: `precondition.faults.${name}`, expected, actual: `it was never delivered: ${requests(exchanges)}` });
  };
  if (f.nextStatus !== undefined && !injectedOn(exchanges, `status:${f.nextStatus}`, ['next']))
    unmet('nextStatus', `the injected ${f.nextStatus} served to a ${NEXT}`);
  if (f.reset === 'next' && !injectedOn(exchanges, 'reset', ['next'])) unmet('reset', `a ${NEXT} reset by the harness`);
  if (f.responseStatus !== undefined && !injectedOn(exchanges, `status:${f.responseStatus}`, ['response', 'error'])) {
    unmet('responseStatus', `the injected ${f.responseStatus} served to the runtime's /response or /error`);
  }
  if (f.reset === 'response' && !injectedOn(exchanges, 'reset', ['response', 'error']))
    unmet('reset', "the runtime's /response or /error reset by the harness");
  if (f.nextHeaders !== undefined || f.deadlineOffsetMs !== undefined || f.delayNextMs !== undefined) {
    const altered =
      result !== undefined && exchanges.some((x) => x.kind === 'next' && x.requestId === result.requestId && x.injected === 'next-headers');
    if (!altered) unmet('nextHeaders', `the event handed out by a ${NEXT} with the altered headers`);
  }
  return out;
}

export interface Outstanding {
  max: number;
  /** When the most were outstanding (recording ms). */
  at: number;
  /** The exchanges outstanding then. */
  exchanges: Exchange[];
}

/**
 * The most exchanges of one kind outstanding at once over a whole recording: a request is outstanding from its first
 * byte until its answer starts, or its connection closes when it is never answered.
 */
export function maxOutstanding(exchanges: readonly Exchange[], connections: readonly ConnectionRecord[], kind: ExchangeKind): Outstanding {
  const closedAt = new Map(connections.map((c) => [c.id, c.closedAt ?? Number.POSITIVE_INFINITY]));
  const spans = exchanges
    .filter((x) => x.kind === kind)
    .map((x) => ({
      x,
      start: x.request.timing.start,
      end: x.response?.timing.start ?? closedAt.get(x.connection) ?? Number.POSITIVE_INFINITY,
    }));
  let best: Outstanding = { max: 0, at: 0, exchanges: [] };
  // The count only rises at a start, so the starts are the instants to look at.
  for (const s of spans) {
    const open = spans.filter((o) => o.start <= s.start && o.end > s.start);
    if (open.length > best.max) best = { max: open.length, at: s.start, exchanges: open.map((o) => o.x) };
  }
  return best;
}
