import { describe, expect, it } from 'vitest';
import { RuntimeStateMachine } from './state-machine.ts';

function ready(id = 'a'): RuntimeStateMachine {
  const sm = new RuntimeStateMachine();
  expect(sm.next()).toEqual({ ok: true });
  sm.handOut(id);
  return sm;
}

describe('RuntimeStateMachine', () => {
  it('walks Started → Ready → Running → Responding → ResponseSent → Ready', () => {
    const sm = new RuntimeStateMachine();
    expect(sm.state).toBe('Started');
    sm.next();
    expect(sm.state).toBe('Ready');
    sm.handOut('a');
    expect(sm.state).toBe('Running');
    expect(sm.beginResponse('a', 'response')).toEqual({ ok: true });
    expect(sm.state).toBe('Responding');
    sm.finishResponse();
    expect(sm.state).toBe('ResponseSent');
    expect(sm.next()).toEqual({ ok: true });
    expect(sm.state).toBe('Ready');
  });

  it('answers an unknown or stale request id with 400 InvalidRequestID before any state check', () => {
    const sm = ready('a');
    expect(sm.beginResponse('b', 'response')).toEqual({
      ok: false,
      error: { status: 400, errorType: 'InvalidRequestID', errorMessage: 'Invalid request ID' },
    });
    expect(sm.beginResponse('', 'error')).toMatchObject({ ok: false, error: { status: 400 } });
    sm.beginResponse('a', 'response');
    sm.finishResponse();
    sm.next();
    sm.handOut('c');
    // 'a' is no longer current: 400, not 403.
    expect(sm.beginResponse('a', 'response')).toMatchObject({ ok: false, error: { status: 400 } });
  });

  it('refuses a second response for the same invocation with 403 InvalidStateTransition', () => {
    const sm = ready('a');
    sm.beginResponse('a', 'response');
    sm.finishResponse();
    const second = sm.beginResponse('a', 'response');
    expect(second).toEqual({
      ok: false,
      error: {
        status: 403,
        errorType: 'InvalidStateTransition',
        errorMessage:
          'State transition from RuntimeResponseSent to InvocationResponse failed for runtime. Error: State transition is not allowed',
      },
    });
    expect(sm.beginResponse('a', 'error')).toMatchObject({
      ok: false,
      error: { status: 403, errorMessage: expect.stringContaining('to InvocationErrorResponse') },
    });
  });

  it('allows /init/error only before the first /next', () => {
    const fresh = new RuntimeStateMachine();
    expect(fresh.initError()).toEqual({ ok: true });
    expect(fresh.state).toBe('InitError');
    expect(fresh.next()).toMatchObject({ ok: false, error: { status: 403 } });

    const sm = new RuntimeStateMachine();
    sm.next();
    expect(sm.initError()).toMatchObject({
      ok: false,
      error: { status: 403, errorType: 'InvalidStateTransition', errorMessage: expect.stringContaining('from Ready to InitError') },
    });
  });

  it('lets a refused (413) response be followed by an /error for the same invocation', () => {
    const sm = ready('a');
    sm.beginResponse('a', 'response');
    sm.abortResponse();
    expect(sm.state).toBe('Running');
    expect(sm.beginResponse('a', 'error')).toEqual({ ok: true });
  });

  it('keeps an outstanding invocation when the runtime polls /next again without answering', () => {
    const sm = ready('a');
    expect(sm.next()).toEqual({ ok: true });
    expect(sm.state).toBe('Running');
    expect(sm.requestId).toBe('a');
  });

  it('refuses /next while a response is still streaming', () => {
    const sm = ready('a');
    sm.beginResponse('a', 'response');
    expect(sm.next()).toMatchObject({ ok: false, error: { status: 403 } });
  });

  it('settle() releases the invocation so late answers get 403, and reset() forgets everything', () => {
    const sm = ready('a');
    sm.settle();
    expect(sm.beginResponse('a', 'response')).toMatchObject({ ok: false, error: { status: 403 } });
    sm.reset();
    expect(sm.state).toBe('Started');
    expect(sm.requestId).toBeUndefined();
    expect(sm.beginResponse('a', 'response')).toMatchObject({ ok: false, error: { status: 400 } });
  });
});
