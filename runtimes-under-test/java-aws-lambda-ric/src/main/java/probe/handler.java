package probe;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The probe handler (shared/probe-contract.md) for AWS's Java runtime interface client. Java names a handler by its
 * class, so {@code _HANDLER=probe.handler} is this class: package {@code probe}, class {@code handler}. It is a POJO
 * {@link RequestHandler} over {@code Object}, the way most Java functions are written, so the event and the result
 * go through the client's own Jackson serializer.
 */
@SuppressWarnings("checkstyle:TypeName")
public class handler implements RequestHandler<Object, Object> {
    private static final String[] ENV_KEYS = {
        "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION", "AWS_REGION",
        "_HANDLER", "LAMBDA_TASK_ROOT",
    };
    /** Where the client puts the invocation's trace header: a JVM cannot change its own environment (AWSLambda.setEnvVarForXrayTraceId). */
    private static final String TRACE_PROPERTY = "com.amazonaws.xray.traceHeader";

    private final AtomicInteger invocations = new AtomicInteger();

    /**
     * The client builds the handler during init (EventHandlerLoader.newInstance) and reports an exception from the
     * constructor as the init error, typed by the exception's class name.
     */
    public handler() throws InterruptedException {
        String sleepMs = System.getenv("PROBE_INIT_SLEEP_MS");
        if (sleepMs != null && !sleepMs.isEmpty()) Thread.sleep(Long.parseLong(sleepMs));
        if ("1".equals(System.getenv("PROBE_INIT_FAIL"))) {
            throw ErrorTypes.create("Probe.InitFailed", "PROBE_INIT_FAIL=1: init fails on purpose");
        }
    }

    @Override
    public Object handleRequest(Object event, Context context) {
        int invocation = invocations.incrementAndGet();
        if (!(event instanceof Map) || !(((Map<?, ?>) event).get("probe") instanceof String)) return event;
        Map<?, ?> e = (Map<?, ?>) event;
        switch ((String) e.get("probe")) {
            case "echo":
                return e.get("payload");
            case "context":
                return context(context, invocation);
            case "error":
            case "stream-error":
                throw error(e);
            case "sleep":
                sleep(number(e, "ms"));
                return Map.of("slept", e.get("ms"));
            case "exit":
                System.out.flush();
                Runtime.getRuntime().halt((int) number(e, "code"));
                return null;
            case "big":
                return "a".repeat((int) number(e, "bytes") - 2);
            case "log": {
                List<?> lines = (List<?>) e.get("lines");
                for (Object line : lines) System.out.println(line);
                System.out.flush();
                return Map.of("logged", lines.size());
            }
            case "stream": {
                // No response streaming for a buffered handler: produce the chunks on their schedule, return them joined.
                List<?> chunks = e.get("chunks") instanceof List ? (List<?>) e.get("chunks") : List.of();
                StringBuilder body = new StringBuilder();
                for (int i = 0; i < chunks.size(); i++) {
                    if (i > 0 && e.get("delayMs") != null) sleep(number(e, "delayMs"));
                    body.append(chunks.get(i));
                }
                return body.toString();
            }
            default:
                return event;
        }
    }

    private static Map<String, Object> context(Context context, int invocation) {
        Map<String, Object> out = new LinkedHashMap<>();
        int remaining = context.getRemainingTimeInMillis();
        out.put("requestId", context.getAwsRequestId());
        // Context exposes the remaining time only; the deadline is now plus that, as the Node probe computes it.
        out.put("deadlineMs", System.currentTimeMillis() + remaining);
        out.put("remainingMs", remaining);
        out.put("functionArn", context.getInvokedFunctionArn());
        out.put("traceId", System.getProperty(TRACE_PROPERTY));
        out.put("clientContext", clientContext(context.getClientContext()));
        out.put("identity", identity(context.getIdentity()));
        out.put("tenantId", context.getTenantId());
        out.put("invocation", invocation);
        out.put("pid", ProcessHandle.current().pid());
        Map<String, Object> env = new LinkedHashMap<>();
        for (String key : ENV_KEYS) env.put(key, System.getenv(key));
        out.put("env", env);
        return out;
    }

    /** The client context as the Mobile SDK sends it (wire field names), members the caller did not send left out. */
    private static Map<String, Object> clientContext(ClientContext cc) {
        if (cc == null) return null;
        Map<String, Object> out = new LinkedHashMap<>();
        if (cc.getClient() != null) {
            Map<String, Object> client = new LinkedHashMap<>();
            putIfSet(client, "installation_id", cc.getClient().getInstallationId());
            putIfSet(client, "app_title", cc.getClient().getAppTitle());
            putIfSet(client, "app_version_name", cc.getClient().getAppVersionName());
            putIfSet(client, "app_version_code", cc.getClient().getAppVersionCode());
            putIfSet(client, "app_package_name", cc.getClient().getAppPackageName());
            out.put("client", client);
        }
        putIfSet(out, "custom", cc.getCustom());
        putIfSet(out, "env", cc.getEnvironment());
        return out;
    }

    private static Map<String, Object> identity(CognitoIdentity identity) {
        if (identity == null || (identity.getIdentityId() == null && identity.getIdentityPoolId() == null)) return null;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("cognitoIdentityId", identity.getIdentityId());
        out.put("cognitoIdentityPoolId", identity.getIdentityPoolId());
        return out;
    }

    private static void putIfSet(Map<String, Object> map, String key, Object value) {
        if (value != null) map.put(key, value);
    }

    /** The client reports errorType as the thrown exception's class name, so the exception's class carries the type. */
    private static RuntimeException error(Map<?, ?> e) {
        Object type = e.get("errorType");
        Object message = e.get("errorMessage");
        return ErrorTypes.create(type instanceof String ? (String) type : "Probe.Error", message == null ? "" : String.valueOf(message));
    }

    private static long number(Map<?, ?> e, String key) {
        return ((Number) e.get(key)).longValue();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
