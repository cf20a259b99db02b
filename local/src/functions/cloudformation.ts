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
import {
  alarmDefinition,
  modelPackageGroupInput,
  notificationRules,
  type QueueDeclaration,
  queueDeclaration,
  queueNameFromArn,
  resolveProperties,
  type SubscriptionDeclaration,
  subscriptionDeclaration,
} from '../cloudformation/properties.js';
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

  /** The resource's properties, resolved in its own template; what cannot be resolved offline left out. */
  private properties(resource: Resource): Record<string, unknown> {
    return resolveProperties(
      resource.Properties ?? {},
      (intrinsic) => this.resolve(intrinsic, resource.service),
      (candidate) => intrinsicName(candidate) !== undefined,
    ) as Record<string, unknown>;
  }

  queues(): QueueDeclaration[] {
    return this.ofType('AWS::SQS::Queue').map((resource) =>
      queueDeclaration(this.nameOf(resource, 'QueueName'), this.properties(resource)),
    );
  }

  topics(): string[] {
    return this.ofType('AWS::SNS::Topic').map((resource) => this.nameOf(resource, 'TopicName'));
  }

  subscriptions(): SubscriptionDeclaration[] {
    return this.ofType('AWS::SNS::Subscription').map((resource) =>
      subscriptionDeclaration(this.properties(resource)),
    );
  }

  alarms(): AlarmDefinition[] {
    return this.ofType('AWS::CloudWatch::Alarm').map((resource) =>
      alarmDefinition(this.nameOf(resource, 'AlarmName'), this.properties(resource)),
    );
  }

  /** Model package groups the services declare, as CreateModelPackageGroup inputs. */
  modelPackageGroups(): Record<string, unknown>[] {
    return this.ofType('AWS::SageMaker::ModelPackageGroup').map((resource) =>
      modelPackageGroupInput(this.nameOf(resource, 'ModelPackageGroupName'), this.properties(resource)),
    );
  }

  buckets(): { name: string; notifications: NotificationRule[] }[] {
    return this.ofType('AWS::S3::Bucket').map((resource) => ({
      name: this.nameOf(resource, 'BucketName').toLowerCase(),
      notifications: notificationRules(resource.logicalId, this.properties(resource)),
    }));
  }
}

export { queueNameFromArn };
