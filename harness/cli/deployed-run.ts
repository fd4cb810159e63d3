/**
 * The deployed path of \`run\` and \`snapshot\`: a function in an AWS account (or any Lambda Invoke endpoint) instead
 * of a local bootstrap. It is not a Target — there is no local process, wire or fault injection — so its flags,
 * their checks and the hooks it gives the suite runner live here, beside run-command.ts rather than inside it.
 * The AWS SDK is loaded only when a deployed run is planned.
 */
import type { DeployedTarget } from '../remote/deployed/deployed-target.ts';
import type { DeployedTargetOptions } from '../remote/deployed/lambda-client.ts';
import type { ExecutionEnvironment } from '../environment/execution-environment.ts';
import { UserError } from '../lib/user-error.ts';
import type { FunctionConfig } from '../model/invocation.ts';
import type { ColdStartMeasurement } from '../model/report-model.ts';
import { resolveRuntime, type ResolvedRuntime } from '../runtime-definition/resolve-runtime.ts';
import type { ScenarioCase } from '../scenarios/suite-model.ts';
import type { SuiteRunOptions } from '../scenarios/suite-runner.ts';
import { parseHttpUrl } from './args.ts';
import type { Io } from './io.ts';

export const DEPLOYED_FLAGS = {
  function: { type: 'string' },
  'streaming-function': { type: 'string' },
  qualifier: { type: 'string' },
  region: { type: 'string' },
  profile: { type: 'string' },
  endpoint: { type: 'string' },
  capabilities: { type: 'string' },
  cold: { type: 'string' },
} as const;

export const DEPLOYED_USAGE = `Deployed functions (--target deployed; the runtime argument is optional and only describes its capabilities):
  --target deployed      run through the AWS SDK against a deployed function; cases that need the wire or the
                         process are skipped as not observable
  --function <name|arn>  the function (required)
  --streaming-function <name|arn>   the function for the streaming cases, when it is a separate one
  --qualifier <q>        version or alias
  --region <r>  --profile <p>       as for the AWS CLI (credentials: the SDK's standard provider chain)
  --endpoint <url>       endpoint override (LocalStack, lambdaspec serve)
  --capabilities <list>  streaming,handler — when no runtime is named
  --cold <n>             first force n cold starts (UpdateFunctionConfiguration) and report their Init Duration`;

type DeployedValues = { [K in keyof typeof DEPLOYED_FLAGS]?: string } & { emulate?: boolean };

/** The deployed-only flags that were given (each is an error on a local target). */
export function deployedOnlyFlags(values: DeployedValues): string[] {
  return (Object.keys(DEPLOYED_FLAGS) as Array<keyof typeof DEPLOYED_FLAGS>).filter((k) => values[k] !== undefined);
}

/** What the suite runner needs to run cases on a deployed function. */
export interface DeployedSuiteHooks {
  skip: (c: ScenarioCase) => string | undefined;
  caseOptions: NonNullable<SuiteRunOptions['caseOptions']>;
  /** The environment the probe preflight invokes: the function, buffered. */
  preflightEnvironment: (config: FunctionConfig) => ExecutionEnvironment;
  /** --cold: forced cold starts, measured once the function passed the preflight. */
  measureColdStarts?: () => Promise<ColdStartMeasurement>;
}

/** `--target deployed`: check its flags, and describe the function (from a runtime folder, or from --capabilities). */
export async function planDeployedRun(
  values: DeployedValues,
  positionals: string[],
): Promise<{ runtime: ResolvedRuntime; deployed: DeployedTarget }> {
  if (values.emulate) throw new UserError('--emulate is for local targets; a deployed function runs on its own architecture');
  if (!values.function) throw new UserError('--target deployed needs --function <name|arn>');
  if (positionals.length > 1) throw new UserError('--target deployed runs one function: name at most one runtime (for its capabilities)');
  if (positionals.length === 1 && values.capabilities !== undefined)
    throw new UserError('--capabilities is for a deployed function without a runtime folder; the runtime.yaml already declares them');
  if (values.endpoint !== undefined) parseHttpUrl('endpoint', values.endpoint);
  const options: DeployedTargetOptions = {
    functionName: values.function,
    ...(values['streaming-function'] !== undefined ? { streamingFunctionName: values['streaming-function'] } : {}),
    ...(values.qualifier !== undefined ? { qualifier: values.qualifier } : {}),
    ...(values.region !== undefined ? { region: values.region } : {}),
    ...(values.profile !== undefined ? { profile: values.profile } : {}),
    ...(values.endpoint !== undefined ? { endpoint: values.endpoint } : {}),
  };
  // Loaded here: the AWS SDK is heavy and only --target deployed needs it.
  const { createDeployedTarget, deployedRuntime, parseCapabilities } = await import('../remote/deployed/deployed-target.ts');
  const runtime =
    positionals[0] !== undefined
      ? resolveRuntime(positionals[0], { requireBootstrap: false })
      : deployedRuntime(values.function, parseCapabilities(values.capabilities));
  return { runtime, deployed: createDeployedTarget(options) };
}

/** The SDK's credentials join the values redacted from every report, before anything is invoked. */
export async function registerDeployedCredentials(deployed: DeployedTarget): Promise<void> {
  const { registerSdkCredentials } = await import('../remote/deployed/lambda-client.ts');
  await registerSdkCredentials(deployed.client);
}

export function deployedSuiteHooks(deployed: DeployedTarget, cold: number | undefined, io: Io): DeployedSuiteHooks {
  return {
    skip: deployed.skip,
    caseOptions: { createEnvironment: deployed.createEnvironment },
    preflightEnvironment: deployed.bufferedEnvironment,
    ...(cold !== undefined
      ? {
          measureColdStarts: async (): Promise<ColdStartMeasurement> => {
            io.err(`forcing ${cold} cold start${cold === 1 ? '' : 's'} of ${deployed.options.functionName}\n`);
            const measured = await deployed.coldStarts(cold);
            if (measured.degraded) io.err(`cold starts: ${measured.degraded}\n`);
            return measured;
          },
        }
      : {}),
  };
}
