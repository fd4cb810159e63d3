//! The probe handler (shared/probe-contract.md) on AWS's Rust runtime client, `lambda_runtime`.
//! Streaming goes through `StreamResponse`, which the crate always sends as an HTTP-integration response
//! (a JSON prelude and 8 NUL bytes before the body).
use lambda_runtime::{service_fn, Diagnostic, FunctionResponse, LambdaEvent, StreamResponse};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

static INVOCATIONS: AtomicU64 = AtomicU64::new(0);
const ENV_KEYS: [&str; 6] = [
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_REGION",
    "_HANDLER",
    "LAMBDA_TASK_ROOT",
];

/// An error whose reported errorType is exactly the one the probe event asked for.
#[derive(Debug)]
struct ProbeError {
    error_type: String,
    message: String,
}

impl std::fmt::Display for ProbeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.error_type, self.message)
    }
}

impl std::error::Error for ProbeError {}

impl From<ProbeError> for Diagnostic {
    fn from(e: ProbeError) -> Diagnostic {
        Diagnostic { error_type: e.error_type, error_message: e.message }
    }
}

type Chunk = Result<String, ProbeError>;
type Response = FunctionResponse<Value, ReceiverStream<Chunk>>;

fn str_field(event: &Value, key: &str, default: &str) -> String {
    event.get(key).and_then(Value::as_str).unwrap_or(default).to_string()
}

fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

/// Produce the chunks on their schedule, then (for stream-error) fail mid-stream.
fn stream(event: &Value, fail: Option<ProbeError>) -> Response {
    let chunks: Vec<String> = event
        .get("chunks")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|c| c.as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    let delay = event.get("delayMs").and_then(Value::as_u64).unwrap_or(0);
    let (tx, rx) = mpsc::channel::<Chunk>(16);
    tokio::spawn(async move {
        for (i, chunk) in chunks.into_iter().enumerate() {
            if i > 0 && delay > 0 {
                tokio::time::sleep(Duration::from_millis(delay)).await;
            }
            if tx.send(Ok(chunk)).await.is_err() {
                return;
            }
        }
        if let Some(e) = fail {
            let _ = tx.send(Err(e)).await;
        }
    });
    FunctionResponse::StreamingResponse(StreamResponse::from(ReceiverStream::new(rx)))
}

async fn handler(event: LambdaEvent<Value>) -> Result<Response, ProbeError> {
    let invocation = INVOCATIONS.fetch_add(1, Ordering::SeqCst) + 1;
    let (payload, ctx) = event.into_parts();
    let probe = match payload.get("probe").and_then(Value::as_str) {
        Some(p) if payload.is_object() => p.to_string(),
        _ => return Ok(FunctionResponse::BufferedResponse(payload)),
    };
    let buffered = |v: Value| Ok(FunctionResponse::BufferedResponse(v));
    match probe.as_str() {
        "echo" => buffered(payload.get("payload").cloned().unwrap_or(Value::Null)),
        "context" => {
            let env: serde_json::Map<String, Value> =
                ENV_KEYS.iter().map(|k| (k.to_string(), std::env::var(k).map(Value::String).unwrap_or(Value::Null))).collect();
            buffered(json!({
                "requestId": ctx.request_id,
                "deadlineMs": ctx.deadline,
                "remainingMs": ctx.deadline as i64 - now_ms() as i64,
                "functionArn": ctx.invoked_function_arn,
                "traceId": std::env::var("_X_AMZN_TRACE_ID").ok(),
                "clientContext": ctx.client_context.as_ref().map(|c| json!({
                    "client": { "installation_id": c.client.installation_id, "app_title": c.client.app_title,
                                "app_version_name": c.client.app_version_name, "app_version_code": c.client.app_version_code,
                                "app_package_name": c.client.app_package_name },
                    "custom": c.custom,
                    "env": c.environment,
                })),
                "identity": ctx.identity.as_ref().map(|i| json!({
                    "cognitoIdentityId": i.identity_id, "cognitoIdentityPoolId": i.identity_pool_id,
                })),
                "tenantId": ctx.tenant_id,
                "invocation": invocation,
                "pid": std::process::id(),
                "env": env,
            }))
        }
        "error" => Err(ProbeError {
            error_type: str_field(&payload, "errorType", "Probe.Error"),
            message: str_field(&payload, "errorMessage", ""),
        }),
        "sleep" => {
            let ms = payload.get("ms").and_then(Value::as_u64).unwrap_or(0);
            tokio::time::sleep(Duration::from_millis(ms)).await;
            buffered(json!({ "slept": ms }))
        }
        "exit" => std::process::exit(payload.get("code").and_then(Value::as_i64).unwrap_or(0) as i32),
        "big" => {
            let bytes = payload.get("bytes").and_then(Value::as_u64).unwrap_or(2) as usize;
            buffered(Value::String("a".repeat(bytes.saturating_sub(2))))
        }
        "log" => {
            let lines = payload.get("lines").and_then(Value::as_array).cloned().unwrap_or_default();
            for line in &lines {
                println!("{}", line.as_str().unwrap_or_default());
            }
            buffered(json!({ "logged": lines.len() }))
        }
        "log-levels" => {
            // Through tracing, the logger lambda_runtime sets up from AWS_LAMBDA_LOG_FORMAT/LEVEL (init_default_subscriber).
            let message = str_field(&payload, "message", "");
            lambda_runtime::tracing::trace!("{message}");
            lambda_runtime::tracing::debug!("{message}");
            lambda_runtime::tracing::info!("{message}");
            lambda_runtime::tracing::warn!("{message}");
            lambda_runtime::tracing::error!("{message}");
            buffered(json!({ "logged": ["TRACE", "DEBUG", "INFO", "WARN", "ERROR"] }))
        }
        "stream" => Ok(stream(&payload, None)),
        "stream-error" => {
            let fail = ProbeError {
                error_type: str_field(&payload, "errorType", "Probe.Error"),
                message: str_field(&payload, "errorMessage", ""),
            };
            Ok(stream(&payload, Some(fail)))
        }
        _ => buffered(payload),
    }
}

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    if let Ok(ms) = std::env::var("PROBE_INIT_SLEEP_MS") {
        tokio::time::sleep(Duration::from_millis(ms.parse().unwrap_or(0))).await;
    }
    if std::env::var("PROBE_INIT_FAIL").as_deref() == Ok("1") {
        // lambda_runtime has no init-error API of its own: failing before run() is what a Rust function does.
        eprintln!("Probe.InitFailed: PROBE_INIT_FAIL=1: init fails on purpose");
        std::process::exit(1);
    }
    // The client's documented logger setup: honours AWS_LAMBDA_LOG_FORMAT (json, any case) and AWS_LAMBDA_LOG_LEVEL.
    lambda_runtime::tracing::init_default_subscriber();
    lambda_runtime::run(service_fn(handler)).await
}
