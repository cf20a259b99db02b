// The few CloudFormation facts the offline stack needs from the services' `resources`: queue, bucket and topic
// names, bucket notification configurations, topic subscriptions and alarms (where their `Condition` holds), and
// intrinsic functions in values, resolved by the project's one resolver (testing/cfn-expressions), per service
// template as CloudFormation resolves them per stack, with `Fn::ImportValue` across services.
import {
  type CfnTemplate,
  conditionHolds,
  intrinsicName,
  type ResolveOptions,
  resolveValue,
} from '@sagemaker-pipeline/testing/cfn-expressions';
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
  private readonly resources: Resource[] = [];
  /** Each service's template: CloudFormation resolves names within one stack. */
  private readonly templates = new Map<string, CfnTemplate>();
  /** Export name → the exporting service and its value, for `Fn::ImportValue`. */
  private readonly exports = new Map<string, { service: string; value: unknown }>();
  private readonly pseudoParameters: Record<string, string>;
  private readonly options: ResolveOptions;

  constructor(services: ServiceDefinition[], region: string, account: string) {
    this.pseudoParameters = { 'AWS::Region': region, 'AWS::AccountId': account, 'AWS::Partition': 'aws' };
    const importing = new Set<string>();
    this.options = {
      importValue: (name) => {
        const exported = this.exports.get(name);
        if (!exported || importing.has(name)) return undefined;
        importing.add(name);
        try {
          return resolveValue(
            exported.value,
            this.template(exported.service),
            this.pseudoParameters,
            this.options,
          );
        } finally {
          importing.delete(name);
        }
      },
    };
    for (const service of services) {
      this.templates.set(service.service, {
        Parameters: Object.fromEntries(
          Object.entries(service.parameters ?? {}).map(([name, parameter]) => [
            name,
            { Type: 'String', ...parameter },
          ]),
        ),
        Conditions: service.conditions ?? {},
        Resources: Object.fromEntries(
          Object.entries(service.resources).map(([logicalId, resource]) => [
            logicalId,
            { ...resource, Type: resource.Type ?? '' },
          ]),
        ),
      });
      for (const [logicalId, resource] of Object.entries(service.resources))
        this.resources.push({ service: service.service, logicalId, ...resource });
    }
    for (const service of services) {
      for (const output of Object.values(service.outputs)) {
        const name = this.resolve(output.Export?.Name, service.service);
        if (typeof name === 'string')
          this.exports.set(name, { service: service.service, value: output.Value });
      }
    }
  }

  private template(service: string): CfnTemplate {
    return this.templates.get(service) ?? { Resources: {} };
  }

  /**
   * A value of `service`'s template as the stack deploys it: plain values as they are, intrinsic functions
   * resolved, or `undefined` where the offline stack cannot know them.
   */
  resolve(value: unknown, service: string): unknown {
    if (intrinsicName(value) === undefined) return value;
    try {
      return resolveValue(value, this.template(service), this.pseudoParameters, this.options);
    } catch {
      return undefined;
    }
  }

  /** The resources of a type whose `Condition`, if any, holds: those CloudFormation creates. */
  private ofType(type: string): Resource[] {
    return this.resources.filter(
      (resource) => resource.Type === type && (resource.Condition === undefined || this.holds(resource)),
    );
  }

  private holds({ service, Condition }: Resource): boolean {
    try {
      return conditionHolds(this.template(service), String(Condition), {}, this.pseudoParameters);
    } catch {
      return false;
    }
  }

  /** A resource's name property, or the name CloudFormation would generate from its stack and logical id. */
  private nameOf(resource: Resource, property: string): string {
    const name = this.resolve(resource.Properties?.[property], resource.service);
    return typeof name === 'string' ? name : `${resource.service}-${resource.logicalId}`;
  }

  /** Resolves values of the resource's own template. */
  private resolverOf(resource: Resource): (value: unknown) => unknown {
    return (value) => this.resolve(value, resource.service);
  }

  private topicName(resource: Resource): string {
    return this.nameOf(resource, 'TopicName');
  }

  private queueName(resource: Resource): string {
    return this.nameOf(resource, 'QueueName');
  }

  private bucketName(resource: Resource): string {
    return this.nameOf(resource, 'BucketName').toLowerCase();
  }

  queues(): QueueDeclaration[] {
    return this.ofType('AWS::SQS::Queue').map((resource) => {
      const resolve = this.resolverOf(resource);
      const redrive = resolve(resource.Properties?.RedrivePolicy) as
        | { maxReceiveCount?: unknown; deadLetterTargetArn?: unknown }
        | undefined;
      const target = resolve(redrive?.deadLetterTargetArn);
      return {
        name: this.queueName(resource),
        visibilityTimeoutSeconds: Number(resolve(resource.Properties?.VisibilityTimeout) ?? 30),
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
      const resolve = this.resolverOf(resource);
      const properties = resource.Properties ?? {};
      return {
        topicArn: String(resolve(properties.TopicArn) ?? ''),
        protocol: String(resolve(properties.Protocol) ?? ''),
        endpoint: String(resolve(properties.Endpoint) ?? ''),
        rawMessageDelivery: String(resolve(properties.RawMessageDelivery)) === 'true',
      };
    });
  }

  alarms(): AlarmDefinition[] {
    return this.ofType('AWS::CloudWatch::Alarm').map((resource) => {
      const resolve = this.resolverOf(resource);
      const strings = (value: unknown): string[] =>
        Array.isArray(value) ? value.map((item) => String(resolve(item) ?? '')) : [];
      const p = resource.Properties ?? {};
      const name = resolve(p.AlarmName);
      const description = resolve(p.AlarmDescription);
      return {
        name: typeof name === 'string' ? name : `${resource.service}-${resource.logicalId}`,
        description: typeof description === 'string' ? description : undefined,
        namespace: String(resolve(p.Namespace) ?? ''),
        metricName: String(resolve(p.MetricName) ?? ''),
        dimensions: ((p.Dimensions as { Name?: unknown; Value?: unknown }[] | undefined) ?? []).map(
          (dimension) => ({
            name: String(resolve(dimension.Name) ?? ''),
            value: String(resolve(dimension.Value) ?? ''),
          }),
        ),
        statistic: p.Statistic === undefined ? undefined : String(resolve(p.Statistic)),
        periodSeconds: Number(resolve(p.Period) ?? 60),
        evaluationPeriods: Number(resolve(p.EvaluationPeriods) ?? 1),
        comparison: String(resolve(p.ComparisonOperator) ?? ''),
        threshold: Number(resolve(p.Threshold) ?? 0),
        alarmActions: strings(p.AlarmActions),
        okActions: strings(p.OKActions),
      };
    });
  }

  /** Model package groups the services declare, as CreateModelPackageGroup inputs. */
  modelPackageGroups(): Record<string, unknown>[] {
    return this.ofType('AWS::SageMaker::ModelPackageGroup').map((resource) => {
      const resolve = this.resolverOf(resource);
      const name = resolve(resource.Properties?.ModelPackageGroupName);
      const description = resolve(resource.Properties?.ModelPackageGroupDescription);
      const tags = resolve(resource.Properties?.Tags);
      return {
        ModelPackageGroupName: typeof name === 'string' ? name : `${resource.service}-${resource.logicalId}`,
        ...(typeof description === 'string' ? { ModelPackageGroupDescription: description } : {}),
        ...(Array.isArray(tags) ? { Tags: tags } : {}),
      };
    });
  }

  buckets(): { name: string; notifications: NotificationRule[] }[] {
    return this.ofType('AWS::S3::Bucket').map((resource) => {
      const resolve = this.resolverOf(resource);
      const config = (resolve(resource.Properties?.NotificationConfiguration) ?? {}) as Record<
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
            target: { kind, arn: String(resolve(entry[targetKey]) ?? '') },
            events: [String(resolve(entry.Event))],
          };
          for (const filter of filterRules) {
            const name = String(filter.Name ?? '').toLowerCase();
            if (name === 'prefix') rule.prefix = String(resolve(filter.Value) ?? '');
            if (name === 'suffix') rule.suffix = String(resolve(filter.Value) ?? '');
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
