"""A small Lambda runtime client on the Python standard library.

The loop polls /next on one keep-alive connection, deserialises the event, calls the handler, and posts the
result or the error. A handler that returns a StreamingResponse is streamed: chunked transfer on a fresh socket
(http.client cannot send trailers), each chunk sent as it is produced, a mid-stream failure reported in the
declared Lambda-Runtime-Function-Error-Type / -Body trailers.
"""
import base64
import http.client
import importlib
import json
import os
import socket
import sys
import time
import traceback

import lambda_logging

API_VERSION = "2018-06-01"
ERROR_TYPE = "Lambda-Runtime-Function-Error-Type"
ERROR_BODY = "Lambda-Runtime-Function-Error-Body"
INVOCATION_ID = "Lambda-Runtime-Invocation-Id"
XRAY_ERROR_CAUSE = "Lambda-Runtime-Function-XRay-Error-Cause"
# AWS's clients omit a cause of 1 MiB or more (and still send the error).
MAX_XRAY_CAUSE_BYTES = 1024 * 1024
# The Runtime API's buffered-response limit, quoted in the 413 it answers (RIE and Lambda).
MAX_RESPONSE_BYTES = 6291556
# The Runtime API's OpenAPI spec asks for this type on error documents so other AWS services understand them.
ERROR_CONTENT_TYPE = "application/vnd.aws.lambda.error+json"


class StreamingResponse:
    """Return this from a handler to stream: `chunks` is any iterable of str or bytes, consumed lazily."""

    def __init__(self, chunks, content_type="application/octet-stream"):
        self.chunks = chunks
        self.content_type = content_type


class Context:
    """What the handler learns about one invocation; built fresh per event, so nothing carries over."""

    def __init__(self, headers):
        self.aws_request_id = headers.get("Lambda-Runtime-Aws-Request-Id")
        deadline = headers.get("Lambda-Runtime-Deadline-Ms")
        self.deadline_ms = int(deadline) if deadline and deadline.strip().isdigit() else None
        self.invoked_function_arn = headers.get("Lambda-Runtime-Invoked-Function-Arn")
        self.client_context = _json_or_none(headers.get("Lambda-Runtime-Client-Context"))
        self.identity = _json_or_none(headers.get("Lambda-Runtime-Cognito-Identity"))
        self.tenant_id = headers.get("Lambda-Runtime-Aws-Tenant-Id") or None
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")

    def get_remaining_time_in_millis(self):
        if self.deadline_ms is None:
            return None
        return self.deadline_ms - int(time.time() * 1000)


def _json_or_none(text):
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def error_document(error_type, message, stack=None):
    return {"errorType": error_type, "errorMessage": message, "stackTrace": stack or []}


def exception_document(exc):
    """The error document for an exception: its class name is the errorType (as AWS's Python client does)."""
    stack = [line.rstrip("\n") for line in traceback.format_list(traceback.extract_tb(exc.__traceback__))]
    return error_document(type(exc).__name__, str(exc), stack)


def xray_cause(exc):
    """The X-Ray error cause AWS's clients send on /error: working directory, the exception, its frames' files."""
    frames = traceback.extract_tb(exc.__traceback__)
    stack = [{"label": f.name, "path": f.filename, "line": f.lineno} for f in frames]
    cause = {
        "working_directory": os.getcwd(),
        "exceptions": [{"type": type(exc).__name__, "message": str(exc), "stack": stack}],
        "paths": sorted({f.filename for f in frames}),
    }
    # One header line: json.dumps escapes control characters, ensure_ascii keeps it latin-1 safe.
    text = json.dumps(cause)
    return text if len(text) < MAX_XRAY_CAUSE_BYTES else None


def _header_value(text):
    # A header line cannot carry CR/LF; an errorType containing them would otherwise break the request.
    return str(text).replace("\r", " ").replace("\n", " ")


class RuntimeClient:
    def __init__(self, address):
        self.address = address
        host, port = address.rsplit(":", 1)
        self.host, self.port = host, int(port)
        # No timeout: the environment may be frozen between /next calls.
        self.conn = http.client.HTTPConnection(host, self.port)

    def _request(self, method, path, body=None, headers=None):
        url = f"/{API_VERSION}/runtime/{path}"
        try:
            self.conn.request(method, url, body=body, headers=headers or {})
            response = self.conn.getresponse()
            return response, response.read()
        except (OSError, http.client.HTTPException):
            # One reconnect: the server may have closed an idle keep-alive connection.
            self.conn.close()
            self.conn = http.client.HTTPConnection(self.host, self.port)
            self.conn.request(method, url, body=body, headers=headers or {})
            response = self.conn.getresponse()
            return response, response.read()

    def next(self):
        try:
            response, body = self._request("GET", "invocation/next")
        except (OSError, http.client.HTTPException) as exc:
            sys.exit(f"[runtime] /next failed ({exc!r}): exiting")
        if response.status != 200:
            sys.exit(f"[runtime] /next answered {response.status}: exiting as the Runtime API asks")
        # response.msg looks names up case-insensitively, whatever case the server used.
        return body, response.msg

    def post_response(self, request_id, payload, extra_headers):
        headers = {"Content-Type": "application/json", **extra_headers}
        response, _ = self._request("POST", f"invocation/{request_id}/response", payload, headers)
        return response.status

    def post_error(self, request_id, doc, extra_headers):
        body = json.dumps(doc, ensure_ascii=False).encode("utf-8")
        headers = {ERROR_TYPE: _header_value(doc["errorType"]), "Content-Type": ERROR_CONTENT_TYPE, **extra_headers}
        response, _ = self._request("POST", f"invocation/{request_id}/error", body, headers)
        return response.status

    def post_init_error(self, doc):
        body = json.dumps(doc, ensure_ascii=False).encode("utf-8")
        headers = {ERROR_TYPE: _header_value(doc["errorType"]), "Content-Type": ERROR_CONTENT_TYPE}
        try:
            self._request("POST", "init/error", body, headers)
        except (OSError, http.client.HTTPException) as exc:
            print(f"[runtime] could not report the init error: {exc!r}", file=sys.stderr, flush=True)

    def stream_response(self, request_id, streaming, extra_headers):
        """Stream on a fresh connection; returns the status the Runtime API answered, or None if it failed."""
        sock = socket.create_connection((self.host, self.port))
        # Each chunk is one small write that must leave at once, not wait for Nagle to coalesce it.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            head = [
                f"POST /{API_VERSION}/runtime/invocation/{request_id}/response HTTP/1.1",
                f"Host: {self.address}",
                "Lambda-Runtime-Function-Response-Mode: streaming",
                "Transfer-Encoding: chunked",
                f"Content-Type: {_header_value(streaming.content_type)}",
                f"Trailer: {ERROR_TYPE}, {ERROR_BODY}",
                *(f"{name}: {_header_value(value)}" for name, value in extra_headers.items()),
            ]
            sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
            trailers = b""
            chunks = None
            while True:
                # Only the handler's iterator is guarded here: a socket error is not the handler's failure.
                try:
                    chunks = iter(streaming.chunks) if chunks is None else chunks
                    chunk = next(chunks)
                    data = chunk.encode("utf-8") if isinstance(chunk, str) else bytes(chunk)
                except StopIteration:
                    break
                except Exception as exc:  # noqa: BLE001 — any handler failure becomes the error trailers
                    trailers = _error_trailers(exception_document(exc))
                    break
                if data:  # an empty chunk would read as the terminal one
                    sock.sendall(b"%x\r\n" % len(data) + data + b"\r\n")
            sock.sendall(b"0\r\n" + trailers + b"\r\n")
            response = http.client.HTTPResponse(sock, method="POST")
            response.begin()
            response.read()
            return response.status
        except (OSError, http.client.HTTPException) as exc:
            print(f"[runtime] streaming the response failed: {exc!r}", file=sys.stderr, flush=True)
            return None
        finally:
            sock.close()


def _error_trailers(doc):
    print(f"[ERROR] mid-stream failure: {doc['errorType']}: {doc['errorMessage']}", flush=True)
    encoded = base64.b64encode(json.dumps(doc, ensure_ascii=False).encode("utf-8")).decode("ascii")
    return f"{ERROR_TYPE}: {_header_value(doc['errorType'])}\r\n{ERROR_BODY}: {encoded}\r\n".encode("utf-8")


def load_handler(client):
    spec = os.environ.get("_HANDLER", "")
    module_name, _, function_name = spec.rpartition(".")
    if not module_name or not function_name:
        client.post_init_error(error_document("Runtime.MalformedHandlerName", f"Bad handler '{spec}': expected module.function"))
        sys.exit(1)
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        client.post_init_error(error_document("Runtime.ImportModuleError", f"Unable to import module '{module_name}': {exc}"))
        sys.exit(1)
    except SyntaxError as exc:
        client.post_init_error(error_document("Runtime.UserCodeSyntaxError", f"Syntax error in module '{module_name}': {exc}"))
        sys.exit(1)
    except Exception as exc:  # noqa: BLE001 — init code raised: report it as the init error
        client.post_init_error(exception_document(exc))
        sys.exit(1)
    handler = getattr(module, function_name, None)
    if not callable(handler):
        client.post_init_error(
            error_document("Runtime.HandlerNotFound", f"Handler '{function_name}' missing on module '{module_name}'")
        )
        sys.exit(1)
    return handler


def serialize(result):
    return json.dumps(result, ensure_ascii=False).encode("utf-8")


def handle_one(client, handler, body, headers):
    request_id = headers.get("Lambda-Runtime-Aws-Request-Id")
    invocation_id = headers.get(INVOCATION_ID)
    # Echoed on the answer when the Runtime API sent one (a per-attempt nonce).
    extra = {INVOCATION_ID: invocation_id} if invocation_id else {}
    # Per invocation, and never stale: set when given, removed when not.
    lambda_logging.current_request_id = request_id
    trace_id = headers.get("Lambda-Runtime-Trace-Id")
    if trace_id:
        os.environ["_X_AMZN_TRACE_ID"] = trace_id
    else:
        os.environ.pop("_X_AMZN_TRACE_ID", None)
    try:
        event = json.loads(body)
    except ValueError as exc:
        client.post_error(request_id, error_document("Runtime.UnmarshalError", f"Unable to unmarshal input: {exc}"), extra)
        return
    try:
        result = handler(event, Context(headers))
    except Exception as exc:  # noqa: BLE001 — every handler failure goes to /error
        doc = exception_document(exc)
        lambda_logging.log_error(doc)
        cause = xray_cause(exc)
        client.post_error(request_id, doc, {**extra, **({XRAY_ERROR_CAUSE: cause} if cause else {})})
        return
    if isinstance(result, StreamingResponse):
        client.stream_response(request_id, result, extra)
        return
    try:
        payload = serialize(result)
    except (TypeError, ValueError) as exc:
        client.post_error(request_id, error_document("Runtime.MarshalError", f"Unable to marshal response: {exc}"), extra)
        return
    status = client.post_response(request_id, payload, extra)
    if status == 202:
        return
    if status >= 500:
        sys.exit(f"[runtime] /response answered {status}: exiting as the Runtime API asks")
    # The response was refused: say why on /error; if that is refused too, there is nothing left to do.
    if status == 413:
        doc = error_document(
            "Function.ResponseSizeTooLarge",
            f"Response payload size ({len(payload)} bytes) exceeded maximum allowed payload size ({MAX_RESPONSE_BYTES} bytes).",
        )
    else:
        doc = error_document("Runtime.InvalidResponse", f"The Runtime API refused the response with status {status}")
    error_status = client.post_error(request_id, doc, extra)
    if error_status >= 500:
        sys.exit(f"[runtime] /error answered {error_status}: exiting as the Runtime API asks")


def main():
    # Handler output is the function's log: line by line, so each line is there when it is printed.
    sys.stdout.reconfigure(encoding="utf-8", line_buffering=True)
    lambda_logging.configure()
    client = RuntimeClient(os.environ["AWS_LAMBDA_RUNTIME_API"])
    handler = load_handler(client)
    while True:
        body, headers = client.next()
        try:
            handle_one(client, handler, body, headers)
        except (OSError, http.client.HTTPException) as exc:
            # Posting the answer failed even after a reconnect; that ends this invocation, not the runtime.
            print(f"[runtime] answering the invocation failed: {exc!r}", file=sys.stderr, flush=True)
