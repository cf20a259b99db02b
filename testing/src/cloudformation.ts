/**
 * Reading the CloudFormation templates that `serverless package` writes, for tests that check what will
 * be deployed (IAM roles, rules, queues) and for tools that must follow the deployed configuration.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface CfnParameter {
  Type: string;
  Default?: unknown;
  [key: string]: unknown;
}

export interface CfnTemplate {
  Parameters?: Record<string, CfnParameter>;
  Conditions?: Record<string, unknown>;
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, { Value: unknown; Export?: { Name: unknown } }>;
}

export interface PolicyStatement {
  Effect: 'Allow' | 'Deny';
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, unknown>>;
}

/**
 * The template `serverless package` wrote in `serviceDir/.serverless` (or in `packageDir`, for
 * `serverless package --package <dir>`), or a clear error to package first.
 */
export function readPackagedTemplate(
  serviceDir: string,
  packageDir = join(serviceDir, '.serverless'),
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
 * The template of `serviceDir` packaged with `--param` values (`sweepSchedule=off`). The framework removes a
 * service's `.serverless` whenever it packages, wherever to, and other suites read that folder in parallel: so
 * the service is packaged from a copy at the same depth (so its relative paths to pipeline.yml and the plugins
 * hold; its node_modules linked), and its own folder is never touched. `env` goes on top of this process's.
 */
export function packageTemplateWith(
  serviceDir: string,
  params: readonly string[],
  stage = 'dev',
  env: Record<string, string> = {},
): CfnTemplate {
  // `<workspace>/.package-tmp/<name>-…`: the same depth as `packages/<name>`, and in no folder that a suite
  // lists to find the services
  const parent = join(dirname(dirname(serviceDir)), '.package-tmp');
  mkdirSync(parent, { recursive: true });
  const copy = mkdtempSync(join(parent, `${basename(serviceDir)}-`));
  try {
    for (const entry of ['serverless.yml', 'package.json', 'tsconfig.json', 'src']) {
      if (existsSync(join(serviceDir, entry)))
        cpSync(join(serviceDir, entry), join(copy, entry), { recursive: true });
    }
    symlinkSync(join(serviceDir, 'node_modules'), join(copy, 'node_modules'), 'dir');
    execFileSync(
      join(serviceDir, 'node_modules', '.bin', 'serverless'),
      ['package', '--stage', stage, ...params.flatMap((param) => ['--param', param])],
      { cwd: copy, stdio: 'pipe', env: { ...process.env, ...env, SLS_TELEMETRY_DISABLED: '1' } },
    );
    return readPackagedTemplate(copy);
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

/** Pseudo parameters as a test stands them in: account, region and partition. */
export const PSEUDO_PARAMETERS: Record<string, string> = {
  'AWS::AccountId': '123456789012',
  'AWS::Region': 'us-east-1',
  'AWS::Partition': 'aws',
};

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The one key of `{ "Ref": ... }` or `{ "Fn::X": ... }`, when the value is an intrinsic function. */
export function intrinsicName(value: unknown): string | undefined {
  if (!isObject(value)) return undefined;
  const keys = Object.keys(value);
  const [key] = keys;
  return keys.length === 1 && key !== undefined && (key === 'Ref' || key.startsWith('Fn::'))
    ? key
    : undefined;
}

/** The deployed ARN or name of a resource of the template, for the resource types our templates refer to. */
export function resourceValue(
  template: CfnTemplate,
  logicalId: string,
  attribute: 'Ref' | string,
  parameters: Readonly<Record<string, string>>,
): string {
  const resource: CfnResource | undefined = template.Resources[logicalId];
  if (!resource) throw new Error(`No resource ${logicalId} in the template`);
  const props = resource.Properties ?? {};
  const name = (key: string): string => {
    const value = props[key];
    if (value === undefined)
      throw new Error(`${logicalId} has no ${key}: its physical name is not predictable`);
    return resolveValue(value, template, parameters);
  };
  const { 'AWS::Partition': partition, 'AWS::Region': region, 'AWS::AccountId': account } = parameters;
  const topicArn = () => `arn:${partition}:sns:${region}:${account}:${name('TopicName')}`;
  const arns: Record<string, () => string> = {
    'AWS::S3::Bucket': () => `arn:${partition}:s3:::${name('BucketName')}`,
    'AWS::SNS::Topic': topicArn,
    'AWS::SQS::Queue': () => `arn:${partition}:sqs:${region}:${account}:${name('QueueName')}`,
    'AWS::ECR::Repository': () =>
      `arn:${partition}:ecr:${region}:${account}:repository/${name('RepositoryName')}`,
    'AWS::IAM::Role': () => `arn:${partition}:iam::${account}:role/${name('RoleName')}`,
    'AWS::Lambda::Function': () =>
      `arn:${partition}:lambda:${region}:${account}:function:${name('FunctionName')}`,
  };
  const refs: Record<string, () => string> = {
    'AWS::S3::Bucket': () => name('BucketName'),
    'AWS::ECR::Repository': () => name('RepositoryName'),
    'AWS::IAM::Role': () => name('RoleName'),
    'AWS::Lambda::Function': () => name('FunctionName'),
    'AWS::SQS::Queue': () =>
      `https://sqs.${region}.${parameters['AWS::URLSuffix'] ?? 'amazonaws.com'}/${account}/${name('QueueName')}`,
    'AWS::SNS::Topic': topicArn,
  };
  // Attributes by their own names, where a type calls them otherwise than Arn.
  const attributes: Record<string, Record<string, () => string>> = {
    'AWS::SQS::Queue': { QueueName: () => name('QueueName') },
    'AWS::SNS::Topic': { TopicArn: topicArn, TopicName: () => name('TopicName') },
  };
  const build =
    attribute === 'Ref'
      ? refs[resource.Type]
      : attribute === 'Arn'
        ? arns[resource.Type]
        : attributes[resource.Type]?.[attribute];
  if (!build) throw new Error(`Cannot resolve ${attribute} of ${logicalId} (${resource.Type}) offline`);
  return build();
}

/**
 * Resolves a template value to the string CloudFormation would deploy: plain strings and numbers, `Ref` to a
 * pseudo parameter, a template parameter (its default) or a resource, `Fn::GetAtt` Arn (and a queue's
 * QueueName, a topic's TopicArn and TopicName), `Fn::Sub` (both forms), `Fn::Join`, `Fn::Select` and `Fn::If`
 * (its condition evaluated with the parameters' defaults). Throws on anything else, so that a check never runs
 * on a half-resolved value.
 */
export function resolveValue(
  value: unknown,
  template: CfnTemplate,
  parameters: Readonly<Record<string, string>> = PSEUDO_PARAMETERS,
): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const fn = intrinsicName(value);
  const arg = fn ? (value as Record<string, unknown>)[fn] : undefined;
  if (fn === 'Ref' && typeof arg === 'string') {
    return (
      parameters[arg] ?? parameterDefault(template, arg) ?? resourceValue(template, arg, 'Ref', parameters)
    );
  }
  if (fn === 'Fn::GetAtt') {
    const [id, attribute] = Array.isArray(arg) ? arg : String(arg).split(/\.(.*)/s);
    return resourceValue(template, String(id), String(attribute), parameters);
  }
  if (fn === 'Fn::Sub') {
    const [text, variables] = Array.isArray(arg) ? arg : [arg, {}];
    return String(text).replace(/\$\{([^}]*)\}/g, (_match, name: string) => {
      if (name.startsWith('!')) return `\${${name.slice(1)}}`;
      if (isObject(variables) && name in variables)
        return resolveValue(variables[name], template, parameters);
      if (name in parameters) return parameters[name] as string;
      const fromParameter = parameterDefault(template, name);
      if (fromParameter !== undefined) return fromParameter;
      const [id, attribute] = name.split(/\.(.*)/s);
      return resourceValue(template, String(id), attribute ?? 'Ref', parameters);
    });
  }
  if (fn === 'Fn::Join' && Array.isArray(arg) && Array.isArray(arg[1])) {
    return arg[1].map((part) => resolveValue(part, template, parameters)).join(String(arg[0]));
  }
  if (fn === 'Fn::Select' && Array.isArray(arg) && Array.isArray(arg[1])) {
    return resolveValue(arg[1][Number(arg[0])], template, parameters);
  }
  if (fn === 'Fn::If' && Array.isArray(arg) && arg.length === 3 && typeof arg[0] === 'string') {
    const holds = conditionHolds(template, arg[0], {}, { ...parameters });
    return resolveValue(holds ? arg[1] : arg[2], template, parameters);
  }
  throw new Error(`Cannot resolve ${JSON.stringify(value)} offline`);
}

/** The default of a template parameter, as the stack deploys without parameter values. */
function parameterDefault(template: CfnTemplate, name: string): string | undefined {
  const parameter = template.Parameters?.[name];
  return parameter?.Default === undefined ? undefined : String(parameter.Default);
}

/**
 * Whether a condition of the template holds when the stack deploys with its parameters' defaults (or `values`
 * for some of them): `Fn::Equals`, `Fn::Not`, `Fn::And`, `Fn::Or` and `{ "Condition": name }` over plain
 * strings, `Ref` to a parameter and `Ref` to a pseudo parameter. Throws on anything else, naming it.
 */
export function conditionHolds(
  template: Pick<CfnTemplate, 'Parameters' | 'Conditions'>,
  name: string,
  values: Record<string, string> = {},
  pseudoParameters: Record<string, string> = PSEUDO_PARAMETERS,
): boolean {
  const text = (node: unknown): string => {
    if (typeof node === 'string' || typeof node === 'number' || typeof node === 'boolean')
      return String(node);
    const ref = (node as Record<string, unknown> | null)?.Ref;
    if (typeof ref === 'string') {
      if (Object.hasOwn(values, ref)) return values[ref] as string;
      const parameter = template.Parameters?.[ref];
      if (parameter?.Default !== undefined) return String(parameter.Default);
      if (Object.hasOwn(pseudoParameters, ref)) return pseudoParameters[ref] as string;
      throw new Error(`Condition ${name}: parameter ${ref} has no value and no default`);
    }
    throw new Error(`Condition ${name}: cannot evaluate ${JSON.stringify(node)}`);
  };
  const holds = (node: unknown): boolean => {
    const fn = node && typeof node === 'object' ? Object.keys(node)[0] : undefined;
    const arg = fn ? (node as Record<string, unknown>)[fn] : undefined;
    const args = Array.isArray(arg) ? arg : [];
    if (fn === 'Condition' && typeof arg === 'string')
      return conditionHolds(template, arg, values, pseudoParameters);
    if (fn === 'Fn::Equals' && args.length === 2) return text(args[0]) === text(args[1]);
    if (fn === 'Fn::Not' && args.length === 1) return !holds(args[0]);
    if (fn === 'Fn::And') return args.every(holds);
    if (fn === 'Fn::Or') return args.some(holds);
    throw new Error(`Condition ${name}: cannot evaluate ${JSON.stringify(node)}`);
  };
  const condition = template.Conditions?.[name];
  if (condition === undefined) throw new Error(`No condition ${name} in the template`);
  return holds(condition);
}

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
