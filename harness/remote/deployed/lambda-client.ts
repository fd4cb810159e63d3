/**
 * The AWS SDK client for a deployed function, and the one place that turns what the SDK throws into a sentence a
 * user can act on. Credentials come from the SDK's standard provider chain (environment, profile, SSO, container
 * and instance roles); they are read only to be redacted from what lambdaspec prints and writes.
 */
import { LambdaClient } from '@aws-sdk/client-lambda';
import { StopRunError } from '../../lib/user-error.ts';
import { registerCredentials } from '../../secrets/known-secrets.ts';

export interface DeployedTargetOptions {
  /** Function name, partial ARN or full ARN. */
  functionName: string;
  /** Used for the streaming cases when the function streams from a separate function (Node's streamifyResponse). */
  streamingFunctionName?: string;
  qualifier?: string;
  region?: string;
  profile?: string;
  /** Endpoint override: LocalStack, a VPC endpoint, or lambdaspec's own Invoke front in tests. */
  endpoint?: string;
  /** SDK attempts per call, retries of throttling and network errors included (default 3). */
  maxAttempts?: number;
}

export function createLambdaClient(o: DeployedTargetOptions): LambdaClient {
  // The SDK warns on every run under Node 20 about its releases after January 2027; package-lock.json pins the one
  // we use, so the warning is noise in a report's stderr.
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  return new LambdaClient({
    ...(o.region !== undefined ? { region: o.region } : {}),
    ...(o.profile !== undefined ? { profile: o.profile } : {}),
    ...(o.endpoint !== undefined ? { endpoint: o.endpoint } : {}),
    maxAttempts: o.maxAttempts ?? 3,
  });
}

/**
 * Learn the credentials the SDK will sign with, so every report and terminal line redacts them by value. A chain
 * that fails or hangs is not an error here: the first call reports it in words (deployedError).
 */
export async function registerSdkCredentials(client: LambdaClient, timeoutMs = 5000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), timeoutMs);
    timer.unref();
  });
  try {
    const credentials = await Promise.race([client.config.credentials(), timeout]);
    if (credentials) registerCredentials(credentials);
  } catch {
    // Reported by the first call.
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The service (or the way to it) refused to work: bad or missing credentials, no such function, throttling,
 * network failure. The run stops, keeps the cases done so far, and exits 2 with this message.
 */
export class DeployedTargetError extends StopRunError {}

interface SdkErrorShape {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
  cause?: unknown;
}

const CREDENTIAL_ERRORS = new Set([
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'ExpiredTokenException',
  'ExpiredToken',
  'InvalidClientTokenId',
  'IncompleteSignatureException',
  'MissingAuthenticationTokenException',
]);

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

function networkCode(e: unknown, depth = 0): string | undefined {
  if (typeof e !== 'object' || e === null || depth > 4) return undefined;
  const x = e as SdkErrorShape & { errors?: unknown[] };
  if (x.code && NETWORK_CODES.has(x.code)) return x.code;
  if (x.name === 'TimeoutError') return 'timeout';
  for (const inner of [x.cause, ...(Array.isArray(x.errors) ? x.errors : [])]) {
    const c = networkCode(inner, depth + 1);
    if (c) return c;
  }
  return undefined;
}

/**
 * A fatal error for `what` (e.g. `invoking my-fn`), or undefined when the error is about this one call only
 * (e.g. Lambda refusing a payload), which the case reports instead.
 */
export function classifyAwsError(
  e: unknown,
  ctx: { what: string; functionName: string; region?: string; endpoint?: string },
): DeployedTargetError | undefined {
  const err = (typeof e === 'object' && e !== null ? e : { message: String(e) }) as SdkErrorShape;
  const name = err.name ?? '';
  const message = (err.message ?? '').split('\n')[0] ?? '';
  const attempts = err.$metadata?.attempts;
  const where = ctx.endpoint ?? (ctx.region ? `Lambda in ${ctx.region}` : 'Lambda');
  if (name === 'CredentialsProviderError' || /Could not load credentials|Token is expired|credential/i.test(name)) {
    return new DeployedTargetError(
      `${ctx.what}: no usable AWS credentials (${message || name}). The SDK's standard chain was tried: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, --profile / AWS_PROFILE, SSO, container and instance roles.`,
    );
  }
  if (/Region is missing/i.test(message)) return new DeployedTargetError(`${ctx.what}: no AWS region: pass --region or set AWS_REGION`);
  if (CREDENTIAL_ERRORS.has(name)) return new DeployedTargetError(`${ctx.what}: ${where} refused the credentials (${name}: ${message})`);
  if (name === 'AccessDeniedException' || name === 'AccessDenied') {
    return new DeployedTargetError(
      `${ctx.what}: access denied (${message}); the caller needs lambda:InvokeFunction on ${ctx.functionName}`,
    );
  }
  if (name === 'ResourceNotFoundException')
    return new DeployedTargetError(`${ctx.what}: function ${ctx.functionName} not found at ${where} (${message})`);
  if (name === 'TooManyRequestsException' || err.$metadata?.httpStatusCode === 429) {
    return new DeployedTargetError(
      `${ctx.what}: throttled by ${where} (429 ${name || 'TooManyRequestsException'}${attempts ? ` after ${attempts} attempts` : ''}); lower the concurrency (--jobs 1) or raise the function's concurrency limit`,
    );
  }
  const net = networkCode(e);
  if (net) return new DeployedTargetError(`${ctx.what}: cannot reach ${where} (${net === 'timeout' ? 'timed out' : net})`);
  if (err.$metadata?.httpStatusCode !== undefined && err.$metadata.httpStatusCode >= 500) {
    return new DeployedTargetError(`${ctx.what}: ${where} failed (${err.$metadata.httpStatusCode} ${name}: ${message})`);
  }
  return undefined;
}
