// What the stack's services take from a CloudFormation resource's properties, once resolved: a queue's
// visibility timeout and redrive policy, a bucket's notification rules, an alarm, a subscription, a model
// package group. One reading for the services' templates (functions/cloudformation.ts) and for stacks
// deployed through the CloudFormation API (cloudformation/resource-types.ts).
import type { AlarmDefinition } from '../cloudwatch/alarms.js';
import type { NotificationRule } from '../s3/notifications.js';

type Properties = Record<string, unknown>;

export const queueNameFromArn = (arn: string): string => arn.slice(arn.lastIndexOf(':') + 1);

const text = (value: unknown): string | undefined =>
  value === undefined || value === null ? undefined : String(value);

export interface QueueDeclaration {
  name: string;
  visibilityTimeoutSeconds: number;
  maxReceiveCount?: number;
  /** The redrive policy's dead-letter queue, by name. */
  deadLetterQueue?: string;
}

export function queueDeclaration(name: string, properties: Properties): QueueDeclaration {
  const redrive = properties.RedrivePolicy as
    | { maxReceiveCount?: unknown; deadLetterTargetArn?: unknown }
    | undefined;
  const target = redrive?.deadLetterTargetArn;
  return {
    name,
    visibilityTimeoutSeconds: Number(properties.VisibilityTimeout ?? 30),
    ...(redrive?.maxReceiveCount === undefined ? {} : { maxReceiveCount: Number(redrive.maxReceiveCount) }),
    ...(typeof target === 'string' ? { deadLetterQueue: queueNameFromArn(target) } : {}),
  };
}

export interface SubscriptionDeclaration {
  topicArn: string;
  protocol: string;
  endpoint: string;
  rawMessageDelivery: boolean;
}

export const subscriptionDeclaration = (properties: Properties): SubscriptionDeclaration => ({
  topicArn: text(properties.TopicArn) ?? '',
  protocol: text(properties.Protocol) ?? '',
  endpoint: text(properties.Endpoint) ?? '',
  rawMessageDelivery: text(properties.RawMessageDelivery) === 'true',
});

export function alarmDefinition(name: string, properties: Properties): AlarmDefinition {
  const strings = (value: unknown): string[] =>
    Array.isArray(value) ? value.map((item) => text(item) ?? '') : [];
  const dimensions = (properties.Dimensions as { Name?: unknown; Value?: unknown }[] | undefined) ?? [];
  return {
    name,
    description: text(properties.AlarmDescription),
    namespace: text(properties.Namespace) ?? '',
    metricName: text(properties.MetricName) ?? '',
    dimensions: dimensions.map((dimension) => ({
      name: text(dimension.Name) ?? '',
      value: text(dimension.Value) ?? '',
    })),
    statistic: text(properties.Statistic),
    periodSeconds: Number(properties.Period ?? 60),
    evaluationPeriods: Number(properties.EvaluationPeriods ?? 1),
    comparison: text(properties.ComparisonOperator) ?? '',
    threshold: Number(properties.Threshold ?? 0),
    alarmActions: strings(properties.AlarmActions),
    okActions: strings(properties.OKActions),
  };
}

/** CreateModelPackageGroup's input. */
export function modelPackageGroupInput(name: string, properties: Properties): Properties {
  const description = properties.ModelPackageGroupDescription;
  return {
    ModelPackageGroupName: name,
    ...(typeof description === 'string' ? { ModelPackageGroupDescription: description } : {}),
    ...(Array.isArray(properties.Tags) ? { Tags: properties.Tags } : {}),
  };
}

/** A bucket's NotificationConfiguration as the stack's S3 notification rules (queues and functions). */
export function notificationRules(logicalId: string, properties: Properties): NotificationRule[] {
  const config = (properties.NotificationConfiguration ?? {}) as Properties;
  const rules: NotificationRule[] = [];
  const add = (kind: 'queue' | 'function', entries: unknown, targetKey: string): void => {
    for (const [index, entry] of ((entries as Properties[] | undefined) ?? []).entries()) {
      const filterRules =
        (entry.Filter as { S3Key?: { Rules?: { Name?: string; Value?: unknown }[] } } | undefined)?.S3Key
          ?.Rules ?? [];
      const rule: NotificationRule = {
        id: `${logicalId}-${kind}-${index + 1}`,
        target: { kind, arn: text(entry[targetKey]) ?? '' },
        events: [text(entry.Event) ?? ''],
      };
      for (const filter of filterRules) {
        const name = String(filter.Name ?? '').toLowerCase();
        if (name === 'prefix') rule.prefix = text(filter.Value) ?? '';
        if (name === 'suffix') rule.suffix = text(filter.Value) ?? '';
      }
      rules.push(rule);
    }
  };
  add('queue', config.QueueConfigurations, 'Queue');
  add('function', config.LambdaConfigurations, 'Function');
  return rules;
}

/**
 * A resource's properties with every intrinsic function replaced by `resolve`'s answer: objects and lists walked,
 * `Ref: AWS::NoValue` and what `resolve` answers `undefined` left out, as CloudFormation leaves out a property
 * whose value is AWS::NoValue.
 */
export function resolveProperties(
  value: unknown,
  resolve: (intrinsic: Record<string, unknown>) => unknown,
  isIntrinsic: (candidate: unknown) => boolean,
): unknown {
  if (Array.isArray(value)) {
    return value
      .map((item) => resolveProperties(item, resolve, isIntrinsic))
      .filter((item) => item !== undefined);
  }
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  if (record.Ref === 'AWS::NoValue') return undefined;
  if (isIntrinsic(record)) return resolve(record);
  return Object.fromEntries(
    Object.entries(record)
      .map(([key, item]) => [key, resolveProperties(item, resolve, isIntrinsic)] as const)
      .filter(([, item]) => item !== undefined),
  );
}
