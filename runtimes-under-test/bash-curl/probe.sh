# The probe handler (shared/probe-contract.md) in bash. Sourced by the bootstrap: top-level code is init.
# `handler` reads the event on stdin, writes the response on stdout, logs to fd 3, and on failure sets
# ERROR_TYPE / ERROR_MESSAGE and returns non-zero. It runs in the bootstrap's shell, so `exit` ends the runtime
# and its counter survives between invocations.

probe_sleep_ms() {
  sleep "$(awk -v ms="$1" 'BEGIN { printf "%.3f", ms / 1000 }')"
}

if [ -n "${PROBE_INIT_SLEEP_MS:-}" ]; then
  probe_sleep_ms "$PROBE_INIT_SLEEP_MS"
fi
if [ "${PROBE_INIT_FAIL:-}" = "1" ]; then
  init_error Probe.InitFailed "PROBE_INIT_FAIL=1: init fails on purpose"
fi

PROBE_INVOCATIONS=0

json_or_null() { # text → the text if it is JSON, else null
  if [ -n "$1" ] && printf '%s' "$1" | jq -e . >/dev/null 2>&1; then printf '%s' "$1"; else printf 'null'; fi
}

handler() {
  PROBE_INVOCATIONS=$((PROBE_INVOCATIONS + 1))
  local event="$WORK/handler-event"
  cat > "$event"
  local probe
  probe=$(jq -r 'if type == "object" and (.probe | type) == "string" then .probe else empty end' "$event" 2>/dev/null)
  # Responses are written with `jq -j '… | tojson'`: compact JSON with no trailing newline, so bytes are exact.
  case "$probe" in
    echo)
      jq -j '.payload | tojson' "$event"
      ;;
    context)
      local now deadline=null
      now=$(date +%s%3N)
      # A missing or malformed deadline header is reported as null rather than failing the invocation.
      [[ "${LAMBDA_DEADLINE_MS:-}" =~ ^[0-9]+$ ]] && deadline=$LAMBDA_DEADLINE_MS
      jq -jn \
        --arg requestId "${LAMBDA_REQUEST_ID:-}" \
        --argjson deadlineMs "$deadline" \
        --argjson now "$now" \
        --arg functionArn "${LAMBDA_INVOKED_FUNCTION_ARN:-}" \
        --arg traceId "${_X_AMZN_TRACE_ID:-}" \
        --argjson clientContext "$(json_or_null "${LAMBDA_CLIENT_CONTEXT:-}")" \
        --argjson identity "$(json_or_null "${LAMBDA_COGNITO_IDENTITY:-}")" \
        --arg tenantId "${LAMBDA_TENANT_ID:-}" \
        --argjson invocation "$PROBE_INVOCATIONS" \
        --argjson pid "$$" \
        'def orNull: if . == "" then null else . end;
         {requestId: ($requestId | orNull), deadlineMs: $deadlineMs,
          remainingMs: (if $deadlineMs == null then null else $deadlineMs - $now end),
          functionArn: ($functionArn | orNull),
          traceId: ($traceId | orNull),
          clientContext: $clientContext, identity: $identity,
          tenantId: ($tenantId | orNull),
          invocation: $invocation, pid: $pid,
          env: {AWS_LAMBDA_FUNCTION_NAME: env.AWS_LAMBDA_FUNCTION_NAME, AWS_LAMBDA_FUNCTION_MEMORY_SIZE: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
                AWS_LAMBDA_FUNCTION_VERSION: env.AWS_LAMBDA_FUNCTION_VERSION, AWS_REGION: env.AWS_REGION,
                _HANDLER: env._HANDLER, LAMBDA_TASK_ROOT: env.LAMBDA_TASK_ROOT}} | tojson'
      ;;
    error|stream-error)
      # Without streaming, a stream-error fails before anything is sent.
      ERROR_TYPE=$(jq -r '.errorType // "Probe.Error"' "$event")
      ERROR_MESSAGE=$(jq -r '.errorMessage // ""' "$event")
      return 1
      ;;
    sleep)
      local ms
      ms=$(jq -r '.ms' "$event")
      probe_sleep_ms "$ms"
      printf '{"slept":%s}' "$ms"
      ;;
    exit)
      exit "$(jq -r '.code' "$event")"
      ;;
    big)
      local bytes
      bytes=$(jq -r '.bytes' "$event")
      printf '"'
      head -c $((bytes - 2)) /dev/zero | tr '\0' a
      printf '"'
      ;;
    log)
      jq -r '.lines[]' "$event" >&3
      printf '{"logged":%s}' "$(jq '.lines | length' "$event")"
      ;;
    stream)
      # No streaming here: the chunks are produced with their delays and returned buffered, as raw text.
      local delay count i
      delay=$(jq -r '.delayMs // 0' "$event")
      count=$(jq '.chunks | length' "$event")
      for ((i = 0; i < count; i++)); do
        [ "$i" -gt 0 ] && probe_sleep_ms "$delay"
        jq -j ".chunks[$i]" "$event"
      done
      ;;
    *)
      # Anything that is not a probe event is echoed unchanged, byte for byte.
      cat "$event"
      ;;
  esac
}
