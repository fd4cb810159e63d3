/**
 * The contract between an execution environment (fake Runtime API + a runtime process) and whoever invokes it:
 * the Invoke front, the scenario runner, the CLI and the benchmarks.
 */
import type { InvocationFaults } from '../fake-runtime-api/faults.ts';
import type { FunctionConfig, InvocationResult, LogLine, ProcessRecord } from '../model/invocation.ts';
import type { Recording } from '../model/recording.ts';

export interface InvocationInput {
  /** Event bytes exactly as `/next` hands them out (not necessarily JSON). */
  payload: Buffer;
  /** Generated (UUID v4) when absent. */
  requestId?: string;
  /** Value of `Lambda-Runtime-Client-Context` (decoded JSON text). */
  clientContext?: string;
  /** Value of `Lambda-Runtime-Cognito-Identity`. */
  cognitoIdentity?: string;
  tenantId?: string;
  /** Value of `Lambda-Runtime-Trace-Id`; a fresh X-Ray header is generated when absent. */
  traceId?: string;
  /** Defaults to the function's unqualified ARN. */
  invokedFunctionArn?: string;
  faults?: InvocationFaults;
}

export interface InvokeOptions {
  /** Called for each response body chunk as it arrives from the runtime (streamed or not). */
  onChunk?: (bytes: Buffer) => void;
  /** Called once the response mode and content type are known, before the first chunk. */
  onResponseStart?: (info: { streamed: boolean; contentType?: string }) => void;
}

/** What `UpdateFunctionConfiguration` may change on a local function (the parts the Invoke front accepts). */
export interface ConfigurationUpdate {
  /** Replaces the function's environment variables (Lambda replaces the whole map, it does not merge). */
  environment?: Record<string, string>;
  memorySizeMb?: number;
  timeoutMs?: number;
}

/**
 * One Lambda execution environment: a fake Runtime API instance and at most one runtime process at a time.
 * Invocations are serialised, as in Lambda's on-demand model.
 */
export interface ExecutionEnvironment {
  readonly config: FunctionConfig;
  /** Start the runtime and wait until it polls `/next`, reports an init error, exits, or hits the init limit. */
  init(): Promise<ProcessRecord>;
  invoke(input: InvocationInput, options?: InvokeOptions): Promise<InvocationResult>;
  /** Everything on the wire so far. */
  recording(): Recording;
  /** All log lines so far (runtime output and platform lines). */
  logs(): LogLine[];
  /** Every process this environment started, oldest first. */
  processes(): ProcessRecord[];
  /** Kill the runtime and stop the Runtime API. Idempotent. */
  close(): Promise<void>;
  /**
   * Apply a configuration update the way Lambda does: the running runtime is retired, so the next invocation is a
   * cold start with the new configuration. Absent where the configuration cannot change (a deployed function's
   * proxy changes it through the Lambda API instead).
   */
  reconfigure?(update: ConfigurationUpdate): Promise<void>;
}
