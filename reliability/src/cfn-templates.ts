/**
 * The packaged CloudFormation templates of every service (`packages/<service>/.serverless/`, written by
 * `serverless package`, which turbo runs before these tests), and a resolver that turns the intrinsic functions
 * our templates use into the strings CloudFormation would deploy, for the IAM and template suites.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type CfnResource,
  type CfnTemplate,
  conditionHolds,
  readPackagedTemplate,
} from '@sagemaker-pipeline/testing/cloudformation';

export const PACKAGES_DIR = fileURLToPath(new URL('../../packages', import.meta.url));

/**
 * Pseudo parameters as the templates were packaged: pipeline.yml's default account (the offline stack's), so
 * that ARNs built with `${AWS::AccountId}` agree with the names serverless.yml derived from the account.
 */
export const DEPLOY_PARAMETERS: Readonly<Record<string, string>> = {
  'AWS::AccountId': '000000000000',
  'AWS::Region': 'us-east-1',
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
};

export interface PackagedTemplate {
  /** The package folder: `infra`, `trigger-training`... */
  service: string;
  template: CfnTemplate;
}

/** Every service package (a folder of packages/ with a serverless.yml) and its packaged template. */
export function packagedTemplates(packagesDir: string = PACKAGES_DIR): PackagedTemplate[] {
  return readdirSync(packagesDir, { withFileTypes: true })
    .filter(
      (entry) => entry.isDirectory() && existsSync(path.join(packagesDir, entry.name, 'serverless.yml')),
    )
    .map((entry) => entry.name)
    .sort()
    .map((service) => ({ service, template: readPackagedTemplate(path.join(packagesDir, service)) }));
}

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
function resourceValue(
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
  parameters: Readonly<Record<string, string>> = DEPLOY_PARAMETERS,
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

/** The export names of a template's outputs, resolved. */
export function exportNames(template: CfnTemplate, parameters = DEPLOY_PARAMETERS): string[] {
  return Object.values(template.Outputs ?? {})
    .filter((output) => output.Export !== undefined)
    .map((output) => resolveValue(output.Export?.Name, template, parameters));
}

/** Properties that name a resource, per type: how other stacks find it without an export. */
const NAME_PROPERTIES: Readonly<Record<string, string>> = {
  'AWS::S3::Bucket': 'BucketName',
  'AWS::SQS::Queue': 'QueueName',
  'AWS::ECR::Repository': 'RepositoryName',
  'AWS::IAM::Role': 'RoleName',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::SageMaker::ModelPackageGroup': 'ModelPackageGroupName',
  'AWS::SNS::Topic': 'TopicName',
};

export interface DeployedNames {
  /** ARNs of the named resources of every template. */
  arns: Set<string>;
  /** Names per resource type. */
  names: Map<string, Set<string>>;
}

/** The ARNs and names the templates' resources will have, for references by name across stacks. */
export function deployedNames(templates: PackagedTemplate[], parameters = DEPLOY_PARAMETERS): DeployedNames {
  const arns = new Set<string>();
  const names = new Map<string, Set<string>>();
  for (const { template } of templates) {
    for (const [id, resource] of Object.entries(template.Resources)) {
      const property = NAME_PROPERTIES[resource.Type];
      const value = property ? resource.Properties?.[property] : undefined;
      if (!property || value === undefined) continue;
      const set = names.get(resource.Type) ?? new Set<string>();
      set.add(resolveValue(value, template, parameters));
      names.set(resource.Type, set);
      if (resource.Type !== 'AWS::SageMaker::ModelPackageGroup')
        arns.add(resourceValue(template, id, 'Arn', parameters));
    }
  }
  return { arns, names };
}
