/**
 * The per-environment runtime state machine that decides the Runtime API's 400/403 answers.
 *
 * Modelled on RIE's states (reference §1.6): Started → (/next) Ready → (event handed out) Running →
 * (/response or /error) Responding → ResponseSent → (/next) Ready …; Started → (/init/error) InitError.
 * Validation order follows RIE: the request-id check (400) comes before the state transition (403).
 */

export type RuntimeState = 'Started' | 'Ready' | 'Running' | 'Responding' | 'ResponseSent' | 'InitError';

/** RIE's names, used in the 403 message so the text matches what runtime authors see elsewhere. */
const RIE_STATE_NAME: Record<RuntimeState, string> = {
  Started: 'Started',
  Ready: 'Ready',
  Running: 'Running',
  Responding: 'InvocationResponse',
  ResponseSent: 'RuntimeResponseSent',
  InitError: 'InitError',
};

export interface ApiError {
  status: number;
  errorType: string;
  errorMessage: string;
}

export type Transition = { ok: true } | { ok: false; error: ApiError };

const OK: Transition = { ok: true };

export function invalidRequestId(): ApiError {
  return { status: 400, errorType: 'InvalidRequestID', errorMessage: 'Invalid request ID' };
}

function forbidden(from: RuntimeState, to: string): Transition {
  return {
    ok: false,
    error: {
      status: 403,
      errorType: 'InvalidStateTransition',
      errorMessage: `State transition from ${RIE_STATE_NAME[from]} to ${to} failed for runtime. Error: State transition is not allowed`,
    },
  };
}

export class RuntimeStateMachine {
  private current: RuntimeState = 'Started';
  private currentId: string | undefined;

  get state(): RuntimeState {
    return this.current;
  }

  /** The request id most recently handed out (cleared on reset). */
  get requestId(): string | undefined {
    return this.currentId;
  }

  /** A new runtime process starts: everything before it is forgotten. */
  reset(): void {
    this.current = 'Started';
    this.currentId = undefined;
  }

  /** GET /next arrived. */
  next(): Transition {
    switch (this.current) {
      case 'InitError':
      case 'Responding':
        return forbidden(this.current, 'Ready');
      case 'Running':
        // RIE's RuntimeRunningState.Ready() accepts this silently; the outstanding invocation stays outstanding
        // (it will end by response, error or timeout) and this poll simply waits for the next event.
        return OK;
      default:
        this.current = 'Ready';
        return OK;
    }
  }

  /** The event with `requestId` was handed out on a waiting /next. */
  handOut(requestId: string): void {
    this.current = 'Running';
    this.currentId = requestId;
  }

  /** POST /invocation/{id}/response or /error: the head arrived. */
  beginResponse(requestId: string, kind: 'response' | 'error'): Transition {
    if (!requestId || requestId !== this.currentId) return { ok: false, error: invalidRequestId() };
    if (this.current !== 'Running') {
      return forbidden(this.current, kind === 'response' ? 'InvocationResponse' : 'InvocationErrorResponse');
    }
    this.current = 'Responding';
    return OK;
  }

  /** The response or error was accepted (202). */
  finishResponse(): void {
    if (this.current === 'Responding') this.current = 'ResponseSent';
  }

  /** The response was refused after its head was accepted (413, bad framing): the invocation is still the runtime's to answer. */
  abortResponse(): void {
    if (this.current === 'Responding') this.current = 'Running';
  }

  /** The invocation ended without the runtime (timeout handled elsewhere, oversized response): its id is released. */
  settle(): void {
    if (this.current === 'Responding' || this.current === 'Running') this.current = 'ResponseSent';
  }

  /** POST /init/error: only before the first /next (reference §1.6). */
  initError(): Transition {
    if (this.current !== 'Started') return forbidden(this.current, 'InitError');
    this.current = 'InitError';
    return OK;
  }
}
