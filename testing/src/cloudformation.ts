/**
 * Reading the CloudFormation templates that `serverless package` writes, for tests that check what will
 * be deployed (IAM roles, rules, queues) and for tools that must follow the deployed configuration.
 */
import { execFileSync, spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { basename, delimiter, dirname, join, relative } from 'node:path';
import { type CfnResource, type CfnTemplate, PSEUDO_PARAMETERS, resolveValue } from './cfn-expressions.js';

export type { CfnParameter, CfnResource, CfnTemplate } from './cfn-expressions.js';
export {
  conditionHolds,
  intrinsicName,
  PSEUDO_PARAMETERS,
  type ResolveOptions,
  resolveValue,
  resourceValue,
} from './cfn-expressions.js';

export interface PolicyStatement {
  Effect: 'Allow' | 'Deny';
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, unknown>>;
}

/**
 * Where `pnpm package` (each service's `serverless package --package .packaged`) writes a service's package:
 * apart from `.serverless`, the framework's own working folder, which every deploy, package or remove in the
 * service's folder empties and rewrites for its stage (a `serverless deploy --stage local` at the root included).
 */
export const PACKAGE_DIR = '.packaged';

/**
 * The template `pnpm package` wrote in `serviceDir/.packaged` (or in `packageDir`: `.serverless` after a plain
 * `serverless package`), or a clear error to package first.
 */
export function readPackagedTemplate(
  serviceDir: string,
  packageDir = join(serviceDir, PACKAGE_DIR),
): CfnTemplate {
  const path = join(packageDir, 'cloudformation-template-update-stack.json');
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as CfnTemplate;
  } catch (error) {
    throw new Error(
      `No packaged template at ${path}: run \`pnpm package\` first (${(error as Error).message})`,
    );
  }
}

/**
 * A copy of a service to run the framework in, so that its own folder is never touched (several runs of the
 * framework in one folder share its `.serverless` and serverless-esbuild's `.esbuild`): at the same depth as
 * `packages/<name>` (`<workspace>/.package-tmp/<name>-…`, in no folder a suite lists to find the services), so
 * its relative paths to pipeline.yml and the plugins hold, with its node_modules linked.
 */
export function copyService(serviceDir: string): { dir: string; remove(): void } {
  const parent = join(dirname(dirname(serviceDir)), '.package-tmp');
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(join(parent, `${basename(serviceDir)}-`));
  for (const entry of ['serverless.yml', 'package.json', 'tsconfig.json', 'src']) {
    if (existsSync(join(serviceDir, entry)))
      cpSync(join(serviceDir, entry), join(dir, entry), { recursive: true });
  }
  symlinkSync(join(serviceDir, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A copy of the workspace's serverless-compose.yml and of every service it composes (each one a `copyService`),
 * in `<workspace>/.package-tmp/compose-…`, with the workspace's node_modules linked: `serverless <command>` there
 * runs the framework's compose on the copies, in the compose file's order and dependencies.
 */
export function copyCompose(
  workspace: string,
  compose: { services: Record<string, { path: string; [key: string]: unknown }> },
): { dir: string; remove(): void } {
  const parent = join(workspace, '.package-tmp');
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(join(parent, 'compose-'));
  const copies = Object.entries(compose.services).map(
    ([name, service]) => [name, service, copyService(join(workspace, service.path))] as const,
  );
  const services = Object.fromEntries(
    copies.map(([name, service, copy]) => [name, { ...service, path: relative(dir, copy.dir) }]),
  );
  writeFileSync(join(dir, 'serverless-compose.yml'), JSON.stringify({ services }, null, 2));
  symlinkSync(join(workspace, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return {
    dir,
    remove: () => {
      for (const [, , copy] of copies) copy.remove();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** How to run `serverless <args>` in a service folder (a copy); `env` on top of this process's. */
function serverlessCommand(dir: string, args: readonly string[], env: Record<string, string>) {
  return [
    join(dir, 'node_modules', '.bin', 'serverless'),
    [...args],
    {
      cwd: dir,
      encoding: 'utf8' as const,
      // compose runs each service's `serverless` from PATH: the folder's own first, as `pnpm exec` has it
      env: {
        ...process.env,
        ...env,
        PATH: [join(dir, 'node_modules', '.bin'), env.PATH ?? process.env.PATH ?? ''].join(delimiter),
        SLS_TELEMETRY_DISABLED: '1',
      },
    },
  ] as const;
}

/**
 * Runs `serverless <args>` in a service folder without blocking this process (an offline stack in it keeps
 * answering the framework's calls); resolves with its output, rejects with it and the exit code. `onLine` sees
 * each line as it is printed (compose's `infra › deployed`), for a progress line.
 */
export function runServerless(
  dir: string,
  args: readonly string[],
  env: Record<string, string> = {},
  onLine?: (line: string) => void,
): Promise<string> {
  const [file, argv, options] = serverlessCommand(dir, args, env);
  return new Promise((resolve, reject) => {
    const child = spawn(file, argv, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let partial = '';
    const take = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      output += text;
      if (!onLine) return;
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) onLine(line);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (onLine && partial) onLine(partial);
      if (code === 0) resolve(output);
      else reject(new Error(`serverless ${args.join(' ')} failed (${code ?? signal}):\n${output}`));
    });
  });
}

/** The template of `serviceDir` packaged with `--param` values (`sweepSchedule=off`), from a copy of it. */
export function packageTemplateWith(
  serviceDir: string,
  params: readonly string[],
  stage = 'dev',
  env: Record<string, string> = {},
): CfnTemplate {
  const copy = copyService(serviceDir);
  try {
    const [file, argv, options] = serverlessCommand(
      copy.dir,
      ['package', '--stage', stage, ...params.flatMap((param) => ['--param', param])],
      env,
    );
    execFileSync(file, argv, { ...options, stdio: 'pipe' });
    return readPackagedTemplate(copy.dir, join(copy.dir, '.serverless'));
  } finally {
    copy.remove();
  }
}

/** Pseudo parameters as a test stands them in: account, region and partition. */

const asArray = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** Every statement of every inline policy of a role, with actions and resources as resolved string arrays. */
export function roleStatements(
  role: CfnResource,
  parameters: Record<string, string> = PSEUDO_PARAMETERS,
  template: CfnTemplate = { Resources: {} },
): PolicyStatement[] {
  const policies = asArray(
    role.Properties?.Policies as { PolicyDocument: { Statement: unknown } }[] | undefined,
  );
  return policies.flatMap((policy) =>
    asArray(policy.PolicyDocument.Statement as Record<string, unknown>[]).map((statement) => ({
      Effect: statement.Effect as 'Allow' | 'Deny',
      Action: asArray(statement.Action as string | string[]),
      Resource: asArray(statement.Resource).map((resource) => resolveValue(resource, template, parameters)),
      ...(statement.Condition ? { Condition: statement.Condition as PolicyStatement['Condition'] } : {}),
    })),
  );
}

/** The IAM role a Lambda function of the template runs with. */
export function functionRole(template: CfnTemplate, functionLogicalId: string): CfnResource {
  const fn = template.Resources[functionLogicalId];
  if (fn?.Type !== 'AWS::Lambda::Function')
    throw new Error(`No function ${functionLogicalId} in the template`);
  const role = fn.Properties?.Role as { 'Fn::GetAtt'?: [string, string] } | undefined;
  const roleId = role?.['Fn::GetAtt']?.[0];
  const resource = roleId ? template.Resources[roleId] : undefined;
  if (!resource) throw new Error(`Function ${functionLogicalId} has no role in the template`);
  return resource;
}

export function resourcesOfType(template: CfnTemplate, type: string): [string, CfnResource][] {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}

/** How a function's failed asynchronous events end, read from its template as plain values. */
export interface DeadLetters {
  /** EventInvokeConfig resources of the function (one is right). */
  invokeConfigs: number;
  retries: unknown;
  maximumEventAgeSeconds: unknown;
  /** The on-failure destination's queue, with its retention (seconds) and SQS-managed encryption. */
  queue: { name: unknown; retentionSeconds: unknown; encrypted: unknown };
  /** The alarm on that queue's depth, its actions resolved with the test pseudo parameters. */
  alarm?: {
    name: unknown;
    metric: string;
    period: unknown;
    evaluationPeriods: unknown;
    when: string;
    missingData: unknown;
    actions: string[];
    okActions: string[] | undefined;
  };
  /** What the alarm tells a human (`AlarmDescription`). */
  alarmDescription: string;
}

export function deadLetters(template: CfnTemplate, functionLogicalId: string): DeadLetters {
  const configs = resourcesOfType(template, 'AWS::Lambda::EventInvokeConfig').filter(
    ([, config]) =>
      (config.Properties?.FunctionName as { Ref?: string } | undefined)?.Ref === functionLogicalId,
  );
  const config = configs[0]?.[1].Properties ?? {};
  const destination = (config.DestinationConfig as { OnFailure?: { Destination?: unknown } } | undefined)
    ?.OnFailure?.Destination as { 'Fn::GetAtt'?: [string, string] } | undefined;
  const queueId = destination?.['Fn::GetAtt']?.[0] ?? '';
  const queue = template.Resources[queueId]?.Properties ?? {};
  const alarm = resourcesOfType(template, 'AWS::CloudWatch::Alarm')
    .map(([, resource]) => resource.Properties ?? {})
    .find((properties) =>
      ((properties.Dimensions ?? []) as { Name: string; Value: { 'Fn::GetAtt'?: [string, string] } }[]).some(
        (dimension) => dimension.Name === 'QueueName' && dimension.Value['Fn::GetAtt']?.[0] === queueId,
      ),
    );
  const resolved = (actions: unknown) =>
    Array.isArray(actions) ? actions.map((action) => resolveValue(action, template)) : undefined;
  return {
    invokeConfigs: configs.length,
    retries: config.MaximumRetryAttempts,
    maximumEventAgeSeconds: config.MaximumEventAgeInSeconds,
    queue: {
      name: queue.QueueName,
      retentionSeconds: queue.MessageRetentionPeriod,
      encrypted: queue.SqsManagedSseEnabled,
    },
    ...(alarm
      ? {
          alarm: {
            name: alarm.AlarmName,
            metric: `${String(alarm.Namespace)} ${String(alarm.MetricName)} ${String(alarm.Statistic)}`,
            period: alarm.Period,
            evaluationPeriods: alarm.EvaluationPeriods,
            when: `${String(alarm.ComparisonOperator)} ${String(alarm.Threshold)}`,
            missingData: alarm.TreatMissingData,
            actions: resolved(alarm.AlarmActions) ?? [],
            okActions: resolved(alarm.OKActions),
          },
        }
      : {}),
    alarmDescription: String(alarm?.AlarmDescription ?? ''),
  };
}

/**
 * What every asynchronously invoked function of pipeline `mlpipe-dev` has (`owner`: its dead-letter queue's
 * name part, `trigger-training`...): two retries, an hour at most, its own encrypted queue kept 14 days, and an
 * alarm on that queue's first message to the pipeline's alert topic, telling once.
 */
export function expectedDeadLetters(owner: string): Omit<DeadLetters, 'alarmDescription'> {
  return {
    invokeConfigs: 1,
    retries: 2,
    maximumEventAgeSeconds: 3600,
    queue: { name: `mlpipe-dev-${owner}-dlq`, retentionSeconds: 1209600, encrypted: true },
    alarm: {
      name: `mlpipe-dev-${owner}-dlq-not-empty`,
      metric: 'AWS/SQS ApproximateNumberOfMessagesVisible Maximum',
      period: 60,
      evaluationPeriods: 1,
      when: 'GreaterThanThreshold 0',
      missingData: 'notBreaching',
      actions: [
        `arn:aws:sns:${PSEUDO_PARAMETERS['AWS::Region']}:${PSEUDO_PARAMETERS['AWS::AccountId']}:mlpipe-dev-alerts`,
      ],
      okActions: undefined,
    },
  };
}

/** Actions written with a wildcard (`sagemaker:*`, `s3:Get*`). */
export function wildcardActions(statements: PolicyStatement[]): string[] {
  return statements.flatMap((statement) => statement.Action.filter((action) => action.includes('*')));
}

/** Actions granted on every resource (`"Resource": "*"`). */
export function actionsOnAnyResource(statements: PolicyStatement[]): string[] {
  return statements
    .filter((statement) => statement.Resource.includes('*'))
    .flatMap((statement) => statement.Action);
}
