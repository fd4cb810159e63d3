/** Faults the fake Runtime API injects while serving one invocation. */
export interface InvocationFaults {
  /** Override (string) or omit (null) headers of the `/next` response that hands out this event. */
  nextHeaders?: Record<string, string | null>;
  /** Deadline = the moment `/next` answers + this offset (negative: a deadline already in the past). */
  deadlineOffsetMs?: number;
  /** Hold the `/next` answer this long after the event is ready. */
  delayNextMs?: number;
  /** Answer the `/next` that would hand out this event with this status and a JSON error body instead. */
  nextStatus?: number;
  /** Answer this invocation's `/response` or `/error` with this status instead of the state machine's verdict. */
  responseStatus?: number;
  /** Destroy the socket: `next` instead of answering `/next`, `response` after the `/response` request head arrives. */
  reset?: 'next' | 'response';
}
