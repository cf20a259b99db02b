// The resource types a CloudFormation stack on the offline stack can hold, each provisioned on the stack's own
// services: buckets with their notifications, queues with their redrive policies, topics and subscriptions,
// alarms, model package groups. Types that configure access (IAM roles and policies, bucket, queue and topic
// policies, Lambda permissions), log groups and ECR repositories are recorded with their documents: the stack
// enforces no access control and keeps logs in files, and a pushed image makes its repository.
import { randomBytes } from 'node:crypto';
import type { AlarmEvaluator } from '../cloudwatch/alarms.js';
import type { S3Service } from '../s3/s3-service.js';
import type { SageMakerControlPlane } from '../sagemaker/control-plane.js';
import type { SnsService } from '../sns/topics.js';
import type { EmulatedQueue } from '../sqs/queue.js';
import {
  alarmDefinition,
  modelPackageGroupInput,
  notificationRules,
  type QueueDeclaration,
  queueDeclaration,
  subscriptionDeclaration,
} from './properties.js';
import type { Properties, ResourceContext, ResourceRecord, ResourceType } from './template.js';

export interface ProvisioningServices {
  region: string;
  account: string;
  /** The stack's endpoint, the host of queue URLs. */
  endpoint: () => string;
  s3: S3Service;
  sns: SnsService;
  alarms: AlarmEvaluator;
  sagemaker: SageMakerControlPlane;
  /** The queue of that name, made if needed, with the declaration's visibility timeout and redrive policy. */
  configureQueue: (declaration: QueueDeclaration) => EmulatedQueue;
  deleteQueue: (name: string) => void;
}

/** The name CloudFormation gives a resource without one: `<stack>-<logical id>-<random>`, within `max`. */
export function generatedName(context: ResourceContext, max: number, lowerCase = false): string {
  const suffix = randomBytes(8).toString('hex').slice(0, 12).toUpperCase();
  const base = `${context.stackName}-${context.logicalId}`.slice(0, max - suffix.length - 1);
  const name = `${base}-${suffix}`;
  return lowerCase ? name.toLowerCase() : name;
}

const nameOr = (
  properties: Properties,
  key: string,
  context: ResourceContext,
  max: number,
  lowerCase = false,
) =>
  typeof properties[key] === 'string' ? (properties[key] as string) : generatedName(context, max, lowerCase);

/** A type recorded with its properties, its name and ARN as `arn` builds them. */
function recorded(
  nameKey: string | undefined,
  attributes: (name: string) => Record<string, string> = () => ({}),
): ResourceType {
  return {
    create: (properties, context) => {
      const name = nameKey ? nameOr(properties, nameKey, context, 64) : generatedName(context, 64);
      return { physicalId: name, attributes: attributes(name) };
    },
    update: (current) => ({ physicalId: current.physicalId, attributes: current.attributes }),
    delete: () => {},
  };
}

export function resourceTypes(services: ProvisioningServices): Record<string, ResourceType> {
  const { region, account, s3, sns, alarms, sagemaker } = services;
  const arn = (service: string, resource: string) => `arn:aws:${service}:${region}:${account}:${resource}`;

  const queue: ResourceType = {
    create: (properties, context) => {
      const name = nameOr(properties, 'QueueName', context, 80);
      services.configureQueue(queueDeclaration(name, properties));
      const url = `${services.endpoint()}/${account}/${name}`;
      return { physicalId: url, attributes: { Arn: arn('sqs', name), QueueName: name, QueueUrl: url } };
    },
    // a new QueueName replaces the queue; the other properties change in place, its messages kept
    update: (current, properties, context) => {
      const name = String(current.attributes.QueueName);
      if (typeof properties.QueueName === 'string' && properties.QueueName !== name) {
        return queue.create(properties, context);
      }
      services.configureQueue(queueDeclaration(name, properties));
      return { physicalId: current.physicalId, attributes: current.attributes };
    },
    delete: (current) => services.deleteQueue(String(current.attributes.QueueName)),
  };

  const bucket: ResourceType = {
    create: async (properties, context) => {
      const name = nameOr(properties, 'BucketName', context, 63, true);
      await s3.createBucket(name);
      s3.setNotifications(name, notificationRules(context.logicalId, properties));
      return {
        physicalId: name,
        attributes: {
          Arn: `arn:aws:s3:::${name}`,
          DomainName: `${name}.s3.amazonaws.com`,
          RegionalDomainName: `${name}.s3.${region}.amazonaws.com`,
        },
      };
    },
    update: (current: ResourceRecord, properties, context) => {
      if (typeof properties.BucketName === 'string' && properties.BucketName !== current.physicalId) {
        throw new Error('BucketName cannot change without replacing the bucket');
      }
      s3.setNotifications(current.physicalId, notificationRules(context.logicalId, properties));
      return { physicalId: current.physicalId, attributes: current.attributes };
    },
    delete: async (current) => {
      s3.setNotifications(current.physicalId, []);
      await s3.deleteBucket(current.physicalId);
    },
  };

  const topic: ResourceType = {
    create: (properties, context) => {
      const made = sns.createTopic(nameOr(properties, 'TopicName', context, 256));
      return { physicalId: made.arn, attributes: { TopicArn: made.arn, TopicName: made.name } };
    },
    update: (current, properties, context) =>
      typeof properties.TopicName === 'string' && properties.TopicName !== current.attributes.TopicName
        ? topic.create(properties, context)
        : { physicalId: current.physicalId, attributes: current.attributes },
    delete: (current) => sns.deleteTopic(current.physicalId),
  };

  const subscription: ResourceType = {
    create: (properties) => {
      const declared = subscriptionDeclaration(properties);
      const made = sns.subscribe(
        declared.topicArn,
        declared.protocol,
        declared.endpoint,
        declared.rawMessageDelivery,
      );
      return { physicalId: made.arn };
    },
    delete: (current) => sns.unsubscribe(current.physicalId),
  };

  const alarm: ResourceType = {
    create: (properties, context) => {
      const name = nameOr(properties, 'AlarmName', context, 255);
      alarms.add(alarmDefinition(name, properties));
      return { physicalId: name, attributes: { Arn: arn('cloudwatch', `alarm:${name}`) } };
    },
    update: (current, properties) => {
      alarms.add(alarmDefinition(current.physicalId, properties));
      return { physicalId: current.physicalId, attributes: current.attributes };
    },
    delete: (current) => alarms.remove(current.physicalId),
  };

  const modelPackageGroup: ResourceType = {
    create: async (properties, context) => {
      const name = nameOr(properties, 'ModelPackageGroupName', context, 63);
      const made = (await sagemaker.call(
        'CreateModelPackageGroup',
        modelPackageGroupInput(name, properties),
      )) as {
        ModelPackageGroupArn: string;
      };
      return {
        physicalId: made.ModelPackageGroupArn,
        attributes: { ModelPackageGroupArn: made.ModelPackageGroupArn },
      };
    },
    delete: async (current) => {
      await sagemaker.call('DeleteModelPackageGroup', {
        ModelPackageGroupName: current.physicalId.slice(current.physicalId.lastIndexOf('/') + 1),
      });
    },
  };

  return {
    'AWS::S3::Bucket': bucket,
    'AWS::SQS::Queue': queue,
    'AWS::SNS::Topic': topic,
    'AWS::SNS::Subscription': subscription,
    'AWS::CloudWatch::Alarm': alarm,
    'AWS::SageMaker::ModelPackageGroup': modelPackageGroup,
    'AWS::S3::BucketPolicy': recorded(undefined),
    'AWS::SQS::QueuePolicy': recorded(undefined),
    'AWS::SNS::TopicPolicy': recorded(undefined),
    'AWS::IAM::Role': recorded('RoleName', (name) => ({
      Arn: `arn:aws:iam::${account}:role/${name}`,
      RoleId: `AROA${randomBytes(8).toString('hex').toUpperCase()}`,
    })),
    'AWS::IAM::Policy': recorded(undefined),
    'AWS::IAM::ManagedPolicy': recorded('ManagedPolicyName', (name) => ({
      PolicyArn: `arn:aws:iam::${account}:policy/${name}`,
    })),
    'AWS::Logs::LogGroup': recorded('LogGroupName', (name) => ({ Arn: arn('logs', `log-group:${name}:*`) })),
    'AWS::ECR::Repository': recorded('RepositoryName', (name) => ({
      Arn: arn('ecr', `repository/${name}`),
      RepositoryUri: `${account}.dkr.ecr.${region}.amazonaws.com/${name}`,
    })),
    'AWS::Lambda::Permission': recorded(undefined),
  };
}
