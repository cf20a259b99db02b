/**
 * CloudFormation's intrinsic functions, resolved to what a stack would deploy: the one resolver of the
 * project's tests, tools and offline stack (pure: it reads no file). `cloudformation.ts` reads packaged
 * templates with it; the offline stack resolves each service's resources with it, exports across services
 * through `importValue`.
 */
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

/** What resolving needs beyond the template and the pseudo parameters. */
export interface ResolveOptions {
  /** The value another stack exports under a name (`Fn::ImportValue`), or `undefined` if none does. */
  importValue?: (exportName: string) => string | undefined;
  /**
   * A resource's value once it exists (`Ref`, or a `Fn::GetAtt` attribute), as a CloudFormation engine knows it;
   * `undefined` for a resource it has not made. Without it, values come from the resources' name properties.
   */
  resource?: (logicalId: string, attribute: 'Ref' | string) => string | undefined;
}

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
  options: ResolveOptions = {},
): string {
  const resource: CfnResource | undefined = template.Resources[logicalId];
  if (!resource) throw new Error(`No resource ${logicalId} in the template`);
  if (options.resource) {
    const value = options.resource(logicalId, attribute);
    if (value === undefined) {
      throw new Error(
        `Unresolved resource dependencies [${logicalId}] in the Resources block of the template`,
      );
    }
    return value;
  }
  const props = resource.Properties ?? {};
  const name = (key: string): string => {
    const value = props[key];
    if (value === undefined)
      throw new Error(`${logicalId} has no ${key}: its physical name is not predictable`);
    return resolveValue(value, template, parameters, options);
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
  options: ResolveOptions = {},
): string {
  const resolve = (inner: unknown): string => resolveValue(inner, template, parameters, options);
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const fn = intrinsicName(value);
  const arg = fn ? (value as Record<string, unknown>)[fn] : undefined;
  if (fn === 'Ref' && typeof arg === 'string') {
    return (
      parameters[arg] ??
      parameterDefault(template, arg) ??
      resourceValue(template, arg, 'Ref', parameters, options)
    );
  }
  if (fn === 'Fn::GetAtt') {
    const [id, attribute] = Array.isArray(arg) ? arg : String(arg).split(/\.(.*)/s);
    return resourceValue(template, String(id), String(attribute), parameters, options);
  }
  if (fn === 'Fn::Sub') {
    const [text, variables] = Array.isArray(arg) ? arg : [arg, {}];
    return String(text).replace(/\$\{([^}]*)\}/g, (_match, name: string) => {
      if (name.startsWith('!')) return `\${${name.slice(1)}}`;
      if (isObject(variables) && name in variables) return resolve(variables[name]);
      if (name in parameters) return parameters[name] as string;
      const fromParameter = parameterDefault(template, name);
      if (fromParameter !== undefined) return fromParameter;
      const [id, attribute] = name.split(/\.(.*)/s);
      return resourceValue(template, String(id), attribute ?? 'Ref', parameters, options);
    });
  }
  if (fn === 'Fn::Join' && Array.isArray(arg) && Array.isArray(arg[1])) {
    return arg[1].map(resolve).join(String(arg[0]));
  }
  if (fn === 'Fn::Select' && Array.isArray(arg) && Array.isArray(arg[1])) {
    return resolve(arg[1][Number(arg[0])]);
  }
  if (fn === 'Fn::If' && Array.isArray(arg) && arg.length === 3 && typeof arg[0] === 'string') {
    const holds = conditionHolds(template, arg[0], {}, { ...parameters });
    return resolve(holds ? arg[1] : arg[2]);
  }
  if (fn === 'Fn::ImportValue' && options.importValue) {
    const name = resolve(arg);
    const exported = options.importValue(name);
    if (exported === undefined) throw new Error(`No stack exports ${name} (Fn::ImportValue)`);
    return exported;
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
