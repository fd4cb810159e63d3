"""A small Lambda runtime client on the Python standard library.

The loop polls /next on one keep-alive connection, deserialises the event, calls the handler, and posts the
result or the error. A handler that returns a StreamingResponse is streamed: chunked transfer on a fresh socket
(http.client cannot send trailers), each chunk flushed as it is produced, a mid-stream failure reported in the
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

API_VERSION = "2018-06-01"
ERROR_TYPE = "Lambda-Runtime-Function-Error-Type"
ERROR_BODY = "Lambda-Runtime-Function-Error-Body"


class StreamingResponse:
    """Return this from a handler to stream: `chunks` is any iterable of str or bytes."""

    def __init__(self, chunks, content_type="application/octet-stream"):
        self.chunks = chunks
        self.content_type = content_type


class Context:
    def __init__(self, headers):
        self.aws_request_id = headers.get("Lambda-Runtime-Aws-Request-Id")
        deadline = headers.get("Lambda-Runtime-Deadline-Ms")
        self.deadline_ms = int(deadline) if deadline and deadline.lstrip("-").isdigit() else None
        self.invoked_function_arn = headers.get("Lambda-Runtime-Invoked-Function-Arn")
        self.client_context = _json_or_none(headers.get("Lambda-Runtime-Client-Context"))
        self.identity = _json_or_none(headers.get("Lambda-Runtime-Cognito-Identity"))
        self.tenant_id = headers.get("Lambda-Runtime-Aws-Tenant-Id")
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
    stack = [line.rstrip("\n") for line in traceback.format_tb(exc.__traceback__)]
    return error_document(getattr(exc, "lambda_error_type", type(exc).__name__), str(exc), stack)


class RuntimeClient:
    def __init__(self, address):
        self.address = address
        host, port = address.rsplit(":", 1)
        self.host, self.port = host, int(port)
        # No timeout: the environment may be frozen between /next calls.
        self.conn = http.client.HTTPConnection(host, self.port)

    def _request(self, method, path, body=None, headers=None):
        try:
            self.conn.request(method, f"/{API_VERSION}/runtime/{path}", body=body, headers=headers or {})
            response = self.conn.getresponse()
            return response, response.read()
        except (ConnectionError, http.client.HTTPException):
            # One reconnect: the server may have closed an idle keep-alive connection.
            self.conn.close()
            self.conn = http.client.HTTPConnection(self.host, self.port)
            self.conn.request(method, f"/{API_VERSION}/runtime/{path}", body=body, headers=headers or {})
            response = self.conn.getresponse()
            return response, response.read()

    def next(self):
        response, body = self._request("GET", "invocation/next")
        if response.status != 200:
            raise SystemExit(f"/next answered {response.status}: exiting as the Runtime API asks")
        return body, {k: v for k, v in response.getheaders()}

    def post_response(self, request_id, payload):
        response, _ = self._request(
            "POST", f"invocation/{request_id}/response", payload, {"Content-Type": "application/json"}
        )
        return response.status

    def post_error(self, request_id, doc):
        body = json.dumps(doc, ensure_ascii=False).encode("utf-8")
        headers = {ERROR_TYPE: doc["errorType"], "Content-Type": "application/json"}
        response, _ = self._request("POST", f"invocation/{request_id}/error", body, headers)
        return response.status

    def post_init_error(self, doc):
        body = json.dumps(doc, ensure_ascii=False).encode("utf-8")
        self._request("POST", "init/error", body, {ERROR_TYPE: doc["errorType"], "Content-Type": "application/json"})

    def stream_response(self, request_id, streaming):
        sock = socket.create_connection((self.host, self.port))
        try:
            head = (
                f"POST /{API_VERSION}/runtime/invocation/{request_id}/response HTTP/1.1\r\n"
                f"Host: {self.address}\r\n"
                "Lambda-Runtime-Function-Response-Mode: streaming\r\n"
                "Transfer-Encoding: chunked\r\n"
                f"Content-Type: {streaming.content_type}\r\n"
                f"Trailer: {ERROR_TYPE}, {ERROR_BODY}\r\n\r\n"
            )
            sock.sendall(head.encode("latin-1"))
            trailers = b""
            try:
                for chunk in streaming.chunks:
                    data = chunk.encode("utf-8") if isinstance(chunk, str) else bytes(chunk)
                    if data:
                        sock.sendall(b"%x\r\n" % len(data) + data + b"\r\n")
            except Exception as exc:  # noqa: BLE001 — any handler failure becomes the error trailers
                doc = exception_document(exc)
                encoded = base64.b64encode(json.dumps(doc).encode("utf-8")).decode("ascii")
                trailers = f"{ERROR_TYPE}: {doc['errorType']}\r\n{ERROR_BODY}: {encoded}\r\n".encode("latin-1")
                print(f"[ERROR] mid-stream failure: {doc['errorType']}: {doc['errorMessage']}", flush=True)
            sock.sendall(b"0\r\n" + trailers + b"\r\n")
            sock.recv(4096)
        finally:
            sock.close()


def load_handler(client):
    spec = os.environ.get("_HANDLER", "")
    module_name, _, function_name = spec.rpartition(".")
    try:
        if not module_name:
            raise ImportError(f"Bad handler '{spec}': expected module.function")
        module = importlib.import_module(module_name)
    except ImportError as exc:
        client.post_init_error(error_document("Runtime.ImportModuleError", f"Unable to import module '{module_name}': {exc}"))
        sys.exit(1)
    except Exception as exc:  # noqa: BLE001 — init code raised: report it as the init error
        doc = exception_document(exc)
        client.post_init_error(doc)
        sys.exit(1)
    handler = getattr(module, function_name, None)
    if not callable(handler):
        client.post_init_error(
            error_document("Runtime.HandlerNotFound", f"Handler '{function_name}' missing on module '{module_name}'")
        )
        sys.exit(1)
    return handler


def main():
    client = RuntimeClient(os.environ["AWS_LAMBDA_RUNTIME_API"])
    handler = load_handler(client)
    while True:
        body, headers = client.next()
        request_id = headers.get("Lambda-Runtime-Aws-Request-Id")
        trace_id = headers.get("Lambda-Runtime-Trace-Id")
        # Per invocation, and never stale: set when given, removed when not.
        if trace_id:
            os.environ["_X_AMZN_TRACE_ID"] = trace_id
        else:
            os.environ.pop("_X_AMZN_TRACE_ID", None)
        try:
            event = json.loads(body)
        except ValueError as exc:
            client.post_error(request_id, error_document("Runtime.UnmarshalError", f"Unable to unmarshal input: {exc}"))
            continue
        context = Context(headers)
        try:
            result = handler(event, context)
        except Exception as exc:  # noqa: BLE001 — every handler failure goes to /error
            client.post_error(request_id, exception_document(exc))
            continue
        if isinstance(result, StreamingResponse):
            client.stream_response(request_id, result)
            continue
        payload = json.dumps(result, ensure_ascii=False).encode("utf-8")
        status = client.post_response(request_id, payload)
        if status == 413:
            client.post_error(
                request_id,
                error_document(
                    "Function.ResponseSizeTooLarge",
                    f"Response payload size ({len(payload)} bytes) exceeded maximum allowed payload size (6291556 bytes).",
                ),
            )
        elif status >= 500:
            sys.exit(f"/response answered {status}: exiting as the Runtime API asks")
