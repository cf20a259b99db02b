// The few CloudFormation facts the offline stack needs from the services' `resources`: queue, bucket and topic
// names, bucket notification configurations, topic subscriptions and alarms (where their `Condition` holds), and
// intrinsic functions (Ref, GetAtt, ImportValue, Sub, Join) in values.
import type { AlarmDefinition } from '../cloudwatch/alarms.js';
import type { NotificationRule } from '../s3/notifications.js';
import type { ServiceDefinition } from './serverless-config.js';

interface Resource {
  service: string;
  logicalId: string;
  Type?: string;
  Properties?: Record<string, unknown>;
  Condition?: string;
}

export interface QueueDeclaration {
  name: string;
  visibilityTimeoutSeconds: number;
  maxReceiveCount?: number;
  /** The redrive policy's dead-letter queue, by name. */
  deadLetterQueue?: string;
}

export class CloudFormationView {
  private readonly resources = new Map<string, Resource>();
  private readonly exports = new Map<string, { service: string; value: unknown }>();
  /** `<service>/<name>`: conditions are per template. */
  private readonly conditions = new Map<string, unknown>();
  /** Parameter defaults by name: the stack deploys every template with its defaults. */
  private readonly parameters = new Map<string, unknown>();

  constructor(
    services: ServiceDefinition[],
    private readonly region: string,
    private readonly account: string,
  ) {
    for (const service of services) {
      for (const [logicalId, resource] of Object.entries(service.resources)) {
        this.resources.set(logicalId, { service: service.service, logicalId, ...resource });
      }
      for (const [name, condition] of Object.entries(service.conditions ?? {})) {
        this.conditions.set(`${service.service}/${name}`, condition);
      }
      for (const [name, parameter] of Object.entries(service.parameters ?? {})) {
        this.parameters.set(name, parameter.Default);
      }
      for (const output of Object.values(service.outputs)) {
        const name = this.resolve(output.Export?.Name);
        if (typeof name === 'string')
          this.exports.set(name, { service: service.service, value: output.Value });
      }
    }
  }

  /** The resources of a type whose `Condition`, if any, holds: those CloudFormation creates. */
  private ofType(type: string): Resource[] {
    return [...this.resources.values()].filter(
      (resource) =>
        resource.Type === type &&
        (resource.Condition === undefined || this.holds(resource.service, resource.Condition)),
    );
  }

  /** Evaluates a named condition of a service's template: Fn::Equals, Fn::Not, Fn::And, Fn::Or, Condition. */
  private holds(service: string, name: string, depth = 0): boolean {
    const evaluate = (expression: unknown): boolean => {
      if (depth > 20 || typeof expression !== 'object' || expression === null) return false;
      const [key, argument] = Object.entries(expression)[0] ?? [];
      const items = Array.isArray(argument) ? argument : [];
      switch (key) {
        case 'Fn::Equals':
          return String(this.resolve(items[0]) ?? '') === String(this.resolve(items[1]) ?? '');
        case 'Fn::Not':
          return !evaluate(items[0]);
        case 'Fn::And':
          return items.every(evaluate);
        case 'Fn::Or':
          return items.some(evaluate);
        case 'Condition':
          return this.holds(service, String(argument), depth + 1);
        default:
          return false;
      }
    };
    return evaluate(this.conditions.get(`${service}/${name}`));
  }

  topicName(resource: Resource): string {
    const name = this.resolve(resource.Properties?.TopicName);
    return typeof name === 'string' ? name : `${resource.service}-${resource.logicalId}`;
  }

  queueName(resource: Resource): string {
    const name = this.resolve(resource.Properties?.QueueName);
    return typeof name === 'string' ? name : `${resource.service}-${resource.logicalId}`;
  }

  bucketName(resource: Resource): string {
    const name = this.resolve(resource.Properties?.BucketName);
    return typeof name === 'string' ? name : `${resource.service}-${resource.logicalId}`.toLowerCase();
  }

  /** Resolves intrinsics to plain values where the offline stack can know them; `undefined` otherwise. */
  resolve(value: unknown): unknown {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
    const entries = Object.entries(value as Record<string, unknown>);
    const [key, argument] = entries[0] ?? [];
    if (entries.length !== 1 || key === undefined) return value;
    switch (key) {
      case 'Ref': {
        if (argument === 'AWS::Region') return this.region;
        if (argument === 'AWS::AccountId') return this.account;
        if (argument === 'AWS::Partition') return 'aws';
        if (this.parameters.has(String(argument))) return this.parameters.get(String(argument));
        const resource = this.resources.get(String(argument));
        if (resource?.Type === 'AWS::S3::Bucket') return this.bucketName(resource);
        if (resource?.Type === 'AWS::SQS::Queue')
          return `http://sqs.${this.region}.localhost/${this.account}/${this.queueName(resource)}`;
        if (resource?.Type === 'AWS::SNS::Topic')
          return `arn:aws:sns:${this.region}:${this.account}:${this.topicName(resource)}`;
        return undefined;
      }
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = Array.isArray(argument)
          ? argument.map(String)
          : String(argument).split('.');
        const resource = this.resources.get(logicalId ?? '');
        if (resource?.Type === 'AWS::SQS::Queue') {
          if (attribute === 'Arn')
            return `arn:aws:sqs:${this.region}:${this.account}:${this.queueName(resource)}`;
          if (attribute === 'QueueName') return this.queueName(resource);
        }
        if (resource?.Type === 'AWS::S3::Bucket' && attribute === 'Arn')
          return `arn:aws:s3:::${this.bucketName(resource)}`;
        if (resource?.Type === 'AWS::SNS::Topic') {
          if (attribute === 'TopicArn') return this.resolve({ Ref: logicalId });
          if (attribute === 'TopicName') return this.topicName(resource);
        }
        return undefined;
      }
      case 'Fn::ImportValue': {
        const name = this.resolve(argument);
        const exported = typeof name === 'string' ? this.exports.get(name) : undefined;
        return exported ? this.resolve(exported.value) : undefined;
      }
      case 'Fn::Join': {
        const [separator, parts] = Array.isArray(argument) ? argument : [];
        if (!Array.isArray(parts)) return undefined;
        const resolved = parts.map((part) => this.resolve(part));
        return resolved.every((part) => typeof part === 'string' || typeof part === 'number')
          ? resolved.join(String(separator ?? ''))
          : undefined;
      }
      case 'Fn::Sub': {
        const [template, variables] = Array.isArray(argument) ? argument : [argument, {}];
        if (typeof template !== 'string') return undefined;
        let unresolved = false;
        const result = template.replace(/\$\{([^}]+)\}/g, (_match, name: string) => {
          const local = (variables as Record<string, unknown>)?.[name];
          const resolved =
            local !== undefined
              ? this.resolve(local)
              : name.includes('.')
                ? this.resolve({ 'Fn::GetAtt': name.split('.') })
                : this.resolve({ Ref: name });
          if (typeof resolved !== 'string' && typeof resolved !== 'number') unresolved = true;
          return String(resolved ?? '');
        });
        return unresolved ? undefined : result;
      }
      default:
        return value;
    }
  }

  queues(): QueueDeclaration[] {
    return this.ofType('AWS::SQS::Queue').map((resource) => {
      const redrive = this.resolve(resource.Properties?.RedrivePolicy) as
        | { maxReceiveCount?: unknown; deadLetterTargetArn?: unknown }
        | undefined;
      const target = this.resolve(redrive?.deadLetterTargetArn);
      return {
        name: this.queueName(resource),
        visibilityTimeoutSeconds: Number(this.resolve(resource.Properties?.VisibilityTimeout) ?? 30),
        maxReceiveCount: redrive?.maxReceiveCount === undefined ? undefined : Number(redrive.maxReceiveCount),
        ...(typeof target === 'string' ? { deadLetterQueue: queueNameFromArn(target) } : {}),
      };
    });
  }

  topics(): string[] {
    return this.ofType('AWS::SNS::Topic').map((resource) => this.topicName(resource));
  }

  subscriptions(): { topicArn: string; protocol: string; endpoint: string; rawMessageDelivery: boolean }[] {
    return this.ofType('AWS::SNS::Subscription').map((resource) => {
      const properties = resource.Properties ?? {};
      return {
        topicArn: String(this.resolve(properties.TopicArn) ?? ''),
        protocol: String(this.resolve(properties.Protocol) ?? ''),
        endpoint: String(this.resolve(properties.Endpoint) ?? ''),
        rawMessageDelivery: String(this.resolve(properties.RawMessageDelivery)) === 'true',
      };
    });
  }

  alarms(): AlarmDefinition[] {
    const strings = (value: unknown): string[] =>
      Array.isArray(value) ? value.map((item) => String(this.resolve(item) ?? '')) : [];
    return this.ofType('AWS::CloudWatch::Alarm').map((resource) => {
      const p = resource.Properties ?? {};
      const name = this.resolve(p.AlarmName);
      const description = this.resolve(p.AlarmDescription);
      return {
        name: typeof name === 'string' ? name : `${resource.service}-${resource.logicalId}`,
        description: typeof description === 'string' ? description : undefined,
        namespace: String(this.resolve(p.Namespace) ?? ''),
        metricName: String(this.resolve(p.MetricName) ?? ''),
        dimensions: ((p.Dimensions as { Name?: unknown; Value?: unknown }[] | undefined) ?? []).map(
          (dimension) => ({
            name: String(this.resolve(dimension.Name) ?? ''),
            value: String(this.resolve(dimension.Value) ?? ''),
          }),
        ),
        statistic: p.Statistic === undefined ? undefined : String(this.resolve(p.Statistic)),
        periodSeconds: Number(this.resolve(p.Period) ?? 60),
        evaluationPeriods: Number(this.resolve(p.EvaluationPeriods) ?? 1),
        comparison: String(this.resolve(p.ComparisonOperator) ?? ''),
        threshold: Number(this.resolve(p.Threshold) ?? 0),
        alarmActions: strings(p.AlarmActions),
        okActions: strings(p.OKActions),
      };
    });
  }

  /** Model package groups the services declare, as CreateModelPackageGroup inputs. */
  modelPackageGroups(): Record<string, unknown>[] {
    return this.ofType('AWS::SageMaker::ModelPackageGroup').map((resource) => {
      const name = this.resolve(resource.Properties?.ModelPackageGroupName);
      const description = this.resolve(resource.Properties?.ModelPackageGroupDescription);
      const tags = this.resolve(resource.Properties?.Tags);
      return {
        ModelPackageGroupName: typeof name === 'string' ? name : `${resource.service}-${resource.logicalId}`,
        ...(typeof description === 'string' ? { ModelPackageGroupDescription: description } : {}),
        ...(Array.isArray(tags) ? { Tags: tags } : {}),
      };
    });
  }

  buckets(): { name: string; notifications: NotificationRule[] }[] {
    return this.ofType('AWS::S3::Bucket').map((resource) => {
      const config = (this.resolve(resource.Properties?.NotificationConfiguration) ?? {}) as Record<
        string,
        unknown
      >;
      const rules: NotificationRule[] = [];
      const add = (kind: 'queue' | 'function', entries: unknown, targetKey: string): void => {
        for (const [index, entry] of ((entries as Record<string, unknown>[] | undefined) ?? []).entries()) {
          const filterRules =
            (entry.Filter as { S3Key?: { Rules?: { Name?: string; Value?: unknown }[] } } | undefined)?.S3Key
              ?.Rules ?? [];
          const rule: NotificationRule = {
            id: `${resource.logicalId}-${kind}-${index + 1}`,
            target: { kind, arn: String(this.resolve(entry[targetKey]) ?? '') },
            events: [String(this.resolve(entry.Event))],
          };
          for (const filter of filterRules) {
            const name = String(filter.Name ?? '').toLowerCase();
            if (name === 'prefix') rule.prefix = String(this.resolve(filter.Value) ?? '');
            if (name === 'suffix') rule.suffix = String(this.resolve(filter.Value) ?? '');
          }
          rules.push(rule);
        }
      };
      add('queue', config.QueueConfigurations, 'Queue');
      add('function', config.LambdaConfigurations, 'Function');
      return { name: this.bucketName(resource), notifications: rules };
    });
  }
}

export const queueNameFromArn = (arn: string): string => arn.slice(arn.lastIndexOf(':') + 1);
