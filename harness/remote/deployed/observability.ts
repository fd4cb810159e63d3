/**
 * What a deployed function lets us observe: the invoker's view (payload, function error, REPORT fields from the
 * log tail, streamed chunks as they arrive). Cases that need the wire, the process, injected faults or a
 * configuration of their own cannot run there; they are skipped with the reason.
 */
import type { ScenarioCase } from '../../scenarios/suite-model.ts';

const NOT_OBSERVABLE = 'not observable on a deployed function';

/** Why the case cannot run against a deployed function, or undefined when it can. */
export function deployedSkipReason(c: ScenarioCase): string | undefined {
  if (c.throughout) return `${NOT_OBSERVABLE}: it checks the Runtime API wire over the whole case`;
  for (const step of c.steps) {
    if (step.kind === 'waitForInit' || step.kind === 'expectExit')
      return `${NOT_OBSERVABLE}: the ${step.kind} step watches the runtime process`;
    if (step.expect.wire) return `${NOT_OBSERVABLE}: it checks the Runtime API wire`;
    if (step.expect.process) return `${NOT_OBSERVABLE}: it checks the runtime process`;
    const t = step.expect.timings;
    if (
      t &&
      (t.handedOutWithinMs !== undefined || t.initMinMs !== undefined || t.initMaxMs !== undefined || t.firstByteLeadMs !== undefined)
    ) {
      return `${NOT_OBSERVABLE}: it times Runtime API events`;
    }
    if (step.kind !== 'invoke') continue;
    if (step.faults) return `${NOT_OBSERVABLE}: it injects Runtime API faults`;
    if (step.traceId !== undefined) return `${NOT_OBSERVABLE}: the Invoke API cannot set the trace id the runtime receives`;
    if (step.cognitoIdentity !== undefined) return `${NOT_OBSERVABLE}: the Invoke API cannot set a Cognito identity`;
    if (!isJson(step.payload))
      return `${NOT_OBSERVABLE}: the Invoke API refuses a non-JSON payload before it reaches the function (InvalidRequestContentException)`;
  }
  const f = c.function;
  const configured = [
    f.bootstrap ? 'its own bootstrap' : undefined,
    f.handler !== undefined ? 'a handler' : undefined,
    f.environment ? 'environment variables' : undefined,
    f.memoryMb !== undefined ? 'a memory size' : undefined,
    f.timeoutMs !== undefined ? 'a timeout' : undefined,
    f.initTimeoutMs !== undefined ? 'an init limit' : undefined,
  ].filter((x): x is string => x !== undefined);
  if (configured.length > 0)
    return `${NOT_OBSERVABLE}: the case configures ${configured.join(', ')}, and a deployed function keeps its own configuration`;
  return undefined;
}

function isJson(b: Buffer): boolean {
  if (b.length === 0) return true;
  try {
    JSON.parse(b.toString('utf8'));
    return true;
  } catch {
    return false;
  }
}
