"""Advanced logging controls for the standard-library runtime.

AWS_LAMBDA_LOG_FORMAT (JSON or Text, any case) picks JSON lines or Lambda's text layout; AWS_LAMBDA_LOG_LEVEL
(TRACE, DEBUG, INFO, WARN, ERROR, FATAL, any case; anything else is INFO) filters what the root `logging` logger
writes. print() is not filtered, as with AWS's clients: only lines written through the logger are.
"""
import json
import logging
import os
import sys
import time

TRACE = 5
logging.addLevelName(TRACE, "TRACE")
logging.addLevelName(logging.WARNING, "WARN")
logging.addLevelName(logging.CRITICAL, "FATAL")

_LEVELS = {"TRACE": TRACE, "DEBUG": logging.DEBUG, "INFO": logging.INFO, "WARN": logging.WARNING,
           "ERROR": logging.ERROR, "FATAL": logging.CRITICAL}

# The request id of the invocation being handled, stamped on every line.
current_request_id = None


def _timestamp(created):
    # RFC 3339 in UTC with milliseconds.
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(created)) + f".{int(created % 1 * 1000):03d}Z"


class JsonFormatter(logging.Formatter):
    def format(self, record):
        line = {
            "timestamp": _timestamp(record.created),
            "level": record.levelname,
            "message": record.getMessage(),
            "logger": record.name,
        }
        if current_request_id:
            line["requestId"] = current_request_id
        for key in ("errorType", "errorMessage", "stackTrace"):
            if hasattr(record, key):
                line[key] = getattr(record, key)
        return json.dumps(line, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """Lambda's Python text layout: [LEVEL]<tab>timestamp<tab>request id<tab>message."""

    def format(self, record):
        return f"[{record.levelname}]\t{_timestamp(record.created)}\t{current_request_id or ''}\t{record.getMessage()}"


def is_json():
    return os.environ.get("AWS_LAMBDA_LOG_FORMAT", "").upper() == "JSON"


def configure():
    """Set up the root logger once, before the handler is imported (so its own loggers inherit it)."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter() if is_json() else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(_LEVELS.get(os.environ.get("AWS_LAMBDA_LOG_LEVEL", "").upper(), logging.INFO))


def log_error(doc):
    """The line a handler error leaves in the log, as a JSON object with level ERROR in JSON format."""
    logging.getLogger().error(
        f"{doc['errorType']}: {doc['errorMessage']}",
        extra={"errorType": doc["errorType"], "errorMessage": doc["errorMessage"], "stackTrace": doc.get("stackTrace", [])},
    )
