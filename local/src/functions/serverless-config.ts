// Reads a stage's serverless.yml as the Serverless Framework would for `--stage local`: CloudFormation short
// tags, and the variables these services use (${sls:stage}, ${opt:...}, ${self:...}, ${env:...}, ${aws:...},
// ${file(...)}, fallbacks `${a, 'b'}`). So local routing uses the same patterns and environment as the deploy.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';

export interface ResolveContext {
  stage: string;
  region: string;
  account: string;
  env: Record<string, string | undefined>;
  warn: (message: string) => void;
}

const INTRINSICS: [string, ('scalar' | 'sequence' | 'mapping')[]][] = [
  ['Ref', ['scalar']],
  ['Sub', ['scalar', 'sequence']],
  ['GetAtt', ['scalar', 'sequence']],
  ['Join', ['sequence']],
  ['Select', ['sequence']],
  ['Split', ['sequence']],
  ['ImportValue', ['scalar', 'mapping']],
  ['If', ['sequence']],
  ['Equals', ['sequence']],
  ['And', ['sequence']],
  ['Or', ['sequence']],
  ['Not', ['sequence']],
  ['FindInMap', ['sequence']],
  ['Base64', ['scalar', 'mapping']],
  ['GetAZs', ['scalar']],
  ['Condition', ['scalar']],
  ['Cidr', ['sequence']],
];

const CFN_SCHEMA = yaml.DEFAULT_SCHEMA.extend(
  INTRINSICS.flatMap(([name, kinds]) =>
    kinds.map(
      (kind) =>
        new yaml.Type(`!${name}`, {
          kind,
          construct: (data: unknown) => {
            if (name === 'Ref' || name === 'Condition') return { [name]: data };
            if (name === 'GetAtt' && typeof data === 'string') {
              const dot = data.indexOf('.');
              return { 'Fn::GetAtt': [data.slice(0, dot), data.slice(dot + 1)] };
            }
            return { [`Fn::${name}`]: data };
          },
        }),
    ),
  ),
);

export function parseServerlessYaml(text: string): Record<string, unknown> {
  return (yaml.load(text, { schema: CFN_SCHEMA }) ?? {}) as Record<string, unknown>;
}

const VARIABLE = /\$\{([^${}]+)\}/;

function splitTopLevel(expression: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quote: string | undefined;
  for (const char of expression) {
    if (quote) {
      current += char;
      if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") {
      quote = char;
      current += char;
    } else if (char === ',') {
      parts.push(current.trim());
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current.trim());
  return parts;
}

function lookupPath(root: unknown, address: string): unknown {
  let value = root;
  for (const key of address.split('.').filter(Boolean)) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** Resolves the variables of a parsed serverless.yml; unresolvable ones become `undefined` with a warning. */
export function resolveVariables(
  config: Record<string, unknown>,
  configDir: string,
  context: ResolveContext,
): Record<string, unknown> {
  const resolving = new Set<string>();

  const source = (expression: string): unknown => {
    const trimmed = expression.trim();
    const quoted = /^(['"])(.*)\1$/s.exec(trimmed);
    if (quoted) return quoted[2];
    if (/^-?\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
    if (trimmed === 'true' || trimmed === 'false') return trimmed === 'true';
    if (trimmed === 'null') return null;
    const fileMatch = /^file\(([^)]+)\)(?::(.*))?$/.exec(trimmed);
    if (fileMatch) {
      const file = path.resolve(configDir, fileMatch[1]?.trim() ?? '');
      try {
        const loaded = file.endsWith('.json')
          ? JSON.parse(readFileSync(file, 'utf8'))
          : parseServerlessYaml(readFileSync(file, 'utf8'));
        return resolveNode(fileMatch[2] ? lookupPath(loaded, fileMatch[2]) : loaded, 0);
      } catch {
        return undefined;
      }
    }
    const colon = trimmed.indexOf(':');
    if (colon < 0) return undefined;
    const kind = trimmed.slice(0, colon);
    const address = trimmed.slice(colon + 1);
    switch (kind) {
      case 'sls':
        if (address === 'stage') return context.stage;
        if (address === 'instanceId') return 'local';
        return undefined;
      case 'opt':
        if (address === 'stage') return context.stage;
        if (address === 'region') return context.region;
        return undefined;
      case 'env':
        return context.env[address];
      case 'aws':
        if (address === 'region') return context.region;
        if (address === 'accountId') return context.account;
        if (address === 'partition') return 'aws';
        return undefined;
      case 'self': {
        if (resolving.has(address)) return undefined;
        resolving.add(address);
        try {
          // resolve along the path, so that `${self:custom.a.b}` works when `custom.a` is `${file(...)}`
          let value: unknown = config;
          for (const key of address.split('.').filter(Boolean)) {
            if (typeof value !== 'object' || value === null) return undefined;
            value = (value as Record<string, unknown>)[key];
            if (typeof value === 'string') value = resolveString(value, 1);
          }
          return resolveNode(value, 0);
        } finally {
          resolving.delete(address);
        }
      }
      case 'param': {
        const params = (config.params ?? {}) as Record<string, Record<string, unknown> | undefined>;
        const value = params[context.stage]?.[address] ?? params.default?.[address];
        return value === undefined ? undefined : resolveNode(value, 0);
      }
      default:
        context.warn(`cannot resolve \${${trimmed}} offline`);
        return undefined;
    }
  };

  const resolveString = (text: string, depth: number): unknown => {
    let current: unknown = text;
    // CloudFormation's own ${AWS::Region}, ${Logical.Attr} and ${Name} (Fn::Sub) are not Serverless variables
    const kept: string[] = [];
    const restore = (value: unknown): unknown =>
      typeof value === 'string'
        ? value.replace(/\uE000(\d+)\uE000/g, (_m, index: string) => kept[Number(index)] ?? '')
        : value;
    for (let i = 0; i < 100 && typeof current === 'string'; i += 1) {
      const match = VARIABLE.exec(current);
      if (!match) return restore(current);
      const inner = match[1] ?? '';
      if (/^[A-Za-z0-9]+::/.test(inner) || !/[:(]/.test(inner)) {
        kept.push(match[0]);
        current = `${current.slice(0, match.index)}\uE000${kept.length - 1}\uE000${current.slice(match.index + match[0].length)}`;
        continue;
      }
      let value: unknown;
      for (const alternative of splitTopLevel(match[1] ?? '')) {
        value = source(alternative);
        if (value !== undefined && value !== null) break;
      }
      if (match[0] === current) {
        current = typeof value === 'string' ? value : resolveNode(value, depth + 1);
      } else {
        const replacement =
          value === undefined || value === null
            ? ''
            : typeof value === 'object'
              ? JSON.stringify(value)
              : String(value);
        current = `${current.slice(0, match.index)}${replacement}${current.slice(match.index + match[0].length)}`;
      }
    }
    return restore(current);
  };

  const resolveNode = (node: unknown, depth: number): unknown => {
    if (depth > 50) return node;
    if (typeof node === 'string') return resolveString(node, depth);
    if (Array.isArray(node)) return node.map((item) => resolveNode(item, depth + 1));
    if (typeof node === 'object' && node !== null) {
      return Object.fromEntries(
        Object.entries(node).map(([key, value]) => [key, resolveNode(value, depth + 1)]),
      );
    }
    return node;
  };

  return resolveNode(config, 0) as Record<string, unknown>;
}

export interface FunctionEvent {
  eventBridge?: { pattern?: Record<string, unknown>; eventBus?: unknown; enabled?: boolean };
  sqs?:
    | string
    | {
        arn: unknown;
        batchSize?: number;
        maximumBatchingWindow?: number;
        functionResponseType?: string;
        enabled?: boolean;
      };
  s3?:
    | string
    | { bucket: unknown; event?: string; rules?: { prefix?: string; suffix?: string }[]; existing?: boolean };
  schedule?: string | { rate: string | string[]; enabled?: boolean; input?: unknown; name?: string };
}

export interface FunctionDefinition {
  service: string;
  name: string;
  /** `<service>-<stage>-<name>`, as deployed */
  functionName: string;
  serviceDir: string;
  handler: string;
  /** Resolved for the stage; CloudFormation intrinsics are resolved by the stack's wiring. */
  environment: Record<string, unknown>;
  timeoutSeconds: number;
  memorySize: number;
  maximumRetryAttempts: number;
  /** How long Lambda keeps an asynchronous event, retries included, in seconds (AWS: 60-21600, default 21600). */
  maximumEventAge: number;
  /** ARN (or CloudFormation expression) of the on-failure destination of asynchronous invocations. */
  onFailure?: unknown;
  reservedConcurrency?: number;
  events: FunctionEvent[];
  /** Its log file under logs/functions/ (default: its name; the deployed name when a stack runs several stages). */
  logName?: string;
  /** The handler's module in the deployed code (CloudFormation's Lambda::Function): run as it is, not bundled. */
  handlerFile?: string;
}

export interface ServiceDefinition {
  service: string;
  dir: string;
  functions: FunctionDefinition[];
  resources: Record<string, { Type?: string; Properties?: Record<string, unknown>; Condition?: string }>;
  conditions: Record<string, unknown>;
  /** Template parameters: the stack deploys with their defaults. */
  parameters: Record<string, { Default?: unknown }>;
  outputs: Record<string, { Value?: unknown; Export?: { Name?: unknown } }>;
}

/** `destinations.onFailure` as the framework takes it: an ARN, or `{type, arn}`. */
function onFailureOf(destinations: unknown): unknown {
  const onFailure = (destinations as { onFailure?: unknown } | undefined)?.onFailure;
  if (typeof onFailure === 'object' && onFailure !== null && 'arn' in onFailure) return onFailure.arn;
  return onFailure;
}

export function loadService(serviceDir: string, context: ResolveContext): ServiceDefinition {
  const dir = path.resolve(serviceDir);
  const file = path.join(dir, 'serverless.yml');
  const raw = parseServerlessYaml(readFileSync(file, 'utf8'));
  const config = resolveVariables(raw, dir, {
    ...context,
    warn: (message) => context.warn(`${path.relative(process.cwd(), file)}: ${message}`),
  });
  const service = String(
    (config.service as { name?: string } | string | undefined) && typeof config.service === 'object'
      ? (config.service as { name?: string }).name
      : config.service,
  );
  const provider = (config.provider ?? {}) as Record<string, unknown>;
  const providerEnv = (provider.environment ?? {}) as Record<string, unknown>;
  const functions = Object.entries((config.functions ?? {}) as Record<string, Record<string, unknown>>).map(
    ([name, fn]) => {
      const environment = { ...providerEnv, ...((fn.environment ?? {}) as Record<string, unknown>) };
      return {
        service,
        name,
        functionName: String(fn.name ?? `${service}-${context.stage}-${name}`),
        serviceDir: dir,
        handler: String(fn.handler ?? ''),
        environment,
        timeoutSeconds: Number(fn.timeout ?? provider.timeout ?? 6),
        memorySize: Number(fn.memorySize ?? provider.memorySize ?? 1024),
        maximumRetryAttempts: Number(fn.maximumRetryAttempts ?? 2),
        maximumEventAge: Number(fn.maximumEventAge ?? 21_600),
        onFailure: onFailureOf(fn.destinations),
        reservedConcurrency:
          fn.reservedConcurrency === undefined ? undefined : Number(fn.reservedConcurrency),
        events: ((fn.events ?? []) as FunctionEvent[]).filter(
          (event) => typeof event === 'object' && event !== null,
        ),
      } satisfies FunctionDefinition;
    },
  );
  const resources = (config.resources ?? {}) as {
    Resources?: ServiceDefinition['resources'];
    Conditions?: ServiceDefinition['conditions'];
    Parameters?: ServiceDefinition['parameters'];
    Outputs?: ServiceDefinition['outputs'];
  };
  return {
    service,
    dir,
    functions,
    resources: resources.Resources ?? {},
    conditions: resources.Conditions ?? {},
    parameters: resources.Parameters ?? {},
    outputs: resources.Outputs ?? {},
  };
}
