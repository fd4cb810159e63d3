/**
 * `--target deployed`: what a suite run needs to run against a deployed function — the runtime description (from a
 * runtime.yaml, or synthesised from --capabilities), the observability skip rule, and environments that invoke the
 * function through the SDK.
 */
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { performance } from 'node:perf_hooks';
import type { FunctionConfig } from '../../model/invocation.ts';
import type { ResolvedRuntime } from '../../runtime-definition/resolve-runtime.ts';
import type { CaseEnvironment } from '../../scenarios/case-runner.ts';
import type { ScenarioCase } from '../../scenarios/suite-model.ts';
import { KNOWN_CAPABILITIES } from '../../scenarios/suite-model.ts';
import { UserError } from '../../lib/user-error.ts';
import type { ColdStartMeasurement } from '../../model/report-model.ts';
import { measureColdStarts } from './cold-start.ts';
import { DeployedEnvironment } from './deployed-environment.ts';
import { createLambdaClient, type DeployedTargetOptions } from './lambda-client.ts';
import { deployedSkipReason } from './observability.ts';

export interface DeployedTarget {
  options: DeployedTargetOptions;
  client: LambdaClient;
  skip: (c: ScenarioCase) => string | undefined;
  createEnvironment: (config: FunctionConfig, c: ScenarioCase) => Promise<CaseEnvironment>;
  /** The function invoked buffered (Invoke), outside any case: the probe preflight's environment. */
  bufferedEnvironment: (config: FunctionConfig) => CaseEnvironment;
  coldStarts: (n: number) => Promise<ColdStartMeasurement>;
  close: () => void;
}

/** A case streams when it needs the capability or reads chunks as they arrive. */
export function caseStreams(c: ScenarioCase): boolean {
  return c.needs.includes('streaming') || c.steps.some((s) => s.kind === 'invoke' && s.stream);
}

export function createDeployedTarget(o: DeployedTargetOptions): DeployedTarget {
  const client = createLambdaClient(o);
  const env = (streaming: boolean, config: FunctionConfig): DeployedEnvironment =>
    new DeployedEnvironment(
      {
        ...config,
        functionName: streaming && o.streamingFunctionName ? o.streamingFunctionName : o.functionName,
        version: o.qualifier ?? '$LATEST',
      },
      {
        client,
        functionName: streaming && o.streamingFunctionName ? o.streamingFunctionName : o.functionName,
        ...(o.qualifier !== undefined ? { qualifier: o.qualifier } : {}),
        streaming,
        ...(o.region !== undefined ? { region: o.region } : {}),
        ...(o.endpoint !== undefined ? { endpoint: o.endpoint } : {}),
      },
    );
  return {
    options: o,
    client,
    skip: deployedSkipReason,
    createEnvironment: (config, c) => Promise.resolve(env(caseStreams(c), config)),
    bufferedEnvironment: (config) => env(false, config),
    coldStarts: (n) => {
      const probe = env(false, placeholderConfig(o.functionName));
      return measureColdStarts(
        {
          client,
          functionName: o.functionName,
          ...(o.qualifier !== undefined ? { qualifier: o.qualifier } : {}),
          ...(o.region !== undefined ? { region: o.region } : {}),
          ...(o.endpoint !== undefined ? { endpoint: o.endpoint } : {}),
        },
        n,
        async () => {
          const t = performance.now();
          const result = await probe.invoke({ payload: Buffer.from('{"probe":"echo","payload":"cold"}') });
          return { result, clientMs: Math.round((performance.now() - t) * 100) / 100 };
        },
      );
    },
    close: () => client.destroy(),
  };
}

function placeholderConfig(functionName: string): FunctionConfig {
  return {
    functionName,
    version: '$LATEST',
    region: '',
    accountId: '',
    memorySizeMb: 0,
    timeoutMs: 0,
    initTimeoutMs: 0,
    handler: '',
    taskRoot: '',
    bootstrap: '',
    bootstrapArgs: [],
    architecture: 'x86_64',
    environment: {},
  };
}

/** `--capabilities streaming,handler` → the capability map; unknown names are a user error. */
export function parseCapabilities(value: string | undefined): Record<string, boolean> {
  const caps: Record<string, boolean> = {};
  for (const raw of (value ?? '').split(',')) {
    const name = raw.trim();
    if (name === '') continue;
    if (!(KNOWN_CAPABILITIES as readonly string[]).includes(name)) {
      throw new UserError(`--capabilities: unknown capability "${name}" (known: ${KNOWN_CAPABILITIES.join(', ')})`);
    }
    caps[name] = true;
  }
  return caps;
}

/** The runtime a deployed function is described as when no runtime folder is named. */
export function deployedRuntime(functionName: string, capabilities: Record<string, boolean>): ResolvedRuntime {
  const name = (functionName.split(':function:')[1] ?? functionName).split(':')[0]!;
  return {
    spec: { name, language: 'deployed', handler: '', bootstrap: '', architecture: 'x86_64', capabilities },
    dir: '',
    bootstrap: `lambda:${functionName}`,
  };
}
