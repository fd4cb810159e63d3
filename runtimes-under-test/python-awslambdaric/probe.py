"""The probe handler (shared/probe-contract.md) for AWS's Python runtime interface client (awslambdaric)."""
import logging
import os
import sys
import time

if os.environ.get("PROBE_INIT_SLEEP_MS"):
    time.sleep(int(os.environ["PROBE_INIT_SLEEP_MS"]) / 1000)
if os.environ.get("PROBE_INIT_FAIL") == "1":
    # awslambdaric reports an exception at import time as the init error, typed by the exception's class name.
    raise type("Probe.InitFailed", (Exception,), {})("PROBE_INIT_FAIL=1: init fails on purpose")

_invocations = 0
_ENV_KEYS = (
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_REGION",
    "_HANDLER",
    "LAMBDA_TASK_ROOT",
)


def _slots(obj):
    """awslambdaric's context objects use __slots__; unset slots are simply absent."""
    if obj is None:
        return None
    return {name: getattr(obj, name) for name in obj.__slots__ if hasattr(obj, name)}


def _client_context(context):
    cc = context.client_context
    if cc is None:
        return None
    out = _slots(cc)
    if out.get("client") is not None:
        out["client"] = {k: v for k, v in _slots(out["client"]).items() if v is not None}
    return {k: v for k, v in out.items() if v is not None}


def _identity(context):
    ident = _slots(context.identity) or {}
    if ident.get("cognito_identity_id") is None and ident.get("cognito_identity_pool_id") is None:
        return None
    return {"cognitoIdentityId": ident.get("cognito_identity_id"), "cognitoIdentityPoolId": ident.get("cognito_identity_pool_id")}


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
            "deadlineMs": context._epoch_deadline_time_in_ms,
            "remainingMs": context.get_remaining_time_in_millis(),
            "functionArn": context.invoked_function_arn,
            "traceId": os.environ.get("_X_AMZN_TRACE_ID"),
            "clientContext": _client_context(context),
            "identity": _identity(context),
            "tenantId": getattr(context, "tenant_id", None),
            "invocation": _invocations,
            "pid": os.getpid(),
            "env": {key: os.environ.get(key) for key in _ENV_KEYS},
        }
    if probe in ("error", "stream-error"):
        # The client names the error after the exception class, so the class carries the requested type.
        raise type(event.get("errorType", "Probe.Error"), (Exception,), {})(event.get("errorMessage", ""))
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
        # Through the logging module, which awslambdaric configures from AWS_LAMBDA_LOG_FORMAT/LEVEL; Python has no
        # TRACE (the client maps it to DEBUG), so DEBUG is the nearest.
        levels = [("DEBUG", logging.DEBUG), ("INFO", logging.INFO), ("WARN", logging.WARNING), ("ERROR", logging.ERROR), ("FATAL", logging.CRITICAL)]
        for _, number in levels:
            logging.getLogger().log(number, event.get("message", ""))
        return {"logged": [name for name, _ in levels]}
    if probe == "stream":
        # No streaming in this client: produce the chunks on their schedule, return them buffered as raw bytes.
        chunks = event.get("chunks", [])
        for i in range(1, len(chunks)):
            time.sleep(event.get("delayMs", 0) / 1000)
        return "".join(chunks).encode("utf-8")
    return event
