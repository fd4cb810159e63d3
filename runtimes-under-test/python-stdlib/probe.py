"""The probe handler (shared/probe-contract.md) in Python."""
import logging
import os
import sys
import time

from runtime_client import StreamingResponse

if os.environ.get("PROBE_INIT_SLEEP_MS"):
    time.sleep(int(os.environ["PROBE_INIT_SLEEP_MS"]) / 1000)


def probe_error(error_type, message):
    """An exception whose class is named `error_type` (e.g. Probe.Boom): the runtime reports the class name."""
    return type(str(error_type), (Exception,), {})(message)


if os.environ.get("PROBE_INIT_FAIL") == "1":
    raise probe_error("Probe.InitFailed", "PROBE_INIT_FAIL=1: init fails on purpose")

_invocations = 0
_ENV_KEYS = (
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_REGION",
    "_HANDLER",
    "LAMBDA_TASK_ROOT",
)


def _stream(chunks, delay_ms, fail=None):
    for i, chunk in enumerate(chunks):
        if i > 0 and delay_ms:
            time.sleep(delay_ms / 1000)
        yield chunk
    if fail is not None:
        raise fail


def handler(event, context):
    global _invocations
    _invocations += 1
    if not isinstance(event, dict) or not isinstance(event.get("probe"), str):
        return event
    probe = event["probe"]
    if probe == "echo":
        return event.get("payload")
    if probe == "context":
        return {
            "requestId": context.aws_request_id,
            "deadlineMs": context.deadline_ms,
            "remainingMs": context.get_remaining_time_in_millis(),
            "functionArn": context.invoked_function_arn,
            "traceId": os.environ.get("_X_AMZN_TRACE_ID"),
            "clientContext": context.client_context,
            "identity": context.identity,
            "tenantId": context.tenant_id,
            "invocation": _invocations,
            "pid": os.getpid(),
            "env": {key: os.environ.get(key) for key in _ENV_KEYS},
        }
    if probe == "error":
        raise probe_error(event.get("errorType", "Probe.Error"), event.get("errorMessage", ""))
    if probe == "sleep":
        time.sleep(event["ms"] / 1000)
        return {"slept": event["ms"]}
    if probe == "exit":
        sys.stdout.flush()
        os._exit(event["code"])
    if probe == "big":
        return "a" * (event["bytes"] - 2)
    if probe == "log":
        for line in event["lines"]:
            print(line, flush=True)
        return {"logged": len(event["lines"])}
    if probe == "log-levels":
        # Through the logger API (not print), at every level it offers; TRACE is registered by the runtime.
        levels = [(name, logging.getLevelName(name)) for name in ("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL")]
        levels = [(name, number) for name, number in levels if isinstance(number, int)]
        for name, number in levels:
            logging.getLogger("probe").log(number, event.get("message", ""))
        return {"logged": [name for name, _ in levels]}
    if probe == "stream":
        return StreamingResponse(_stream(event.get("chunks", []), event.get("delayMs", 0)), "text/plain; charset=utf-8")
    if probe == "stream-error":
        fail = probe_error(event.get("errorType", "Probe.Error"), event.get("errorMessage", ""))
        return StreamingResponse(_stream(event.get("chunks", []), event.get("delayMs", 0), fail), "text/plain; charset=utf-8")
    return event
