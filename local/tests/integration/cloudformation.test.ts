/**
 * CloudFormation on the stack, driven with the SDK's CloudFormation client as `serverless deploy` drives it:
 * stacks created (directly or by change set), updated and deleted, each resource provisioned on the stack's
 * services; statuses, events, outputs and exports as CloudFormation reports them; a failure rolls back and
 * leaves the previous deployment serving.
 */
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  GetTemplateCommand,
  ListExportsCommand,
  ListStackResourcesCommand,
  UpdateStackCommand,
  ValidateTemplateCommand,
} from '@aws-sdk/client-cloudformation';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { DescribeModelPackageGroupCommand } from '@aws-sdk/client-sagemaker';
import { ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { eventually, stackSettled, useTestStack } from '../helpers/stack.js';

const template = (resources: Record<string, unknown>, outputs: Record<string, unknown> = {}) =>
  JSON.stringify({ AWSTemplateFormatVersion: '2010-09-09', Resources: resources, Outputs: outputs });

const QUEUES = {
  DeadLetters: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'cfn-dead-letters' } },
  Work: {
    Type: 'AWS::SQS::Queue',
    Properties: {
      QueueName: 'cfn-work',
      VisibilityTimeout: 60,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['DeadLetters', 'Arn'] }, maxReceiveCount: 3 },
    },
  },
};

const INFRA = template(
  {
    ...QUEUES,
    Data: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'cfn-data' } },
    Alerts: { Type: 'AWS::SNS::Topic', Properties: { TopicName: 'cfn-alerts' } },
    AlertsToWork: {
      Type: 'AWS::SNS::Subscription',
      Properties: {
        TopicArn: { Ref: 'Alerts' },
        Protocol: 'sqs',
        Endpoint: { 'Fn::GetAtt': ['Work', 'Arn'] },
      },
    },
    Backlog: {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        AlarmName: 'cfn-dead-letters-waiting',
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['DeadLetters', 'QueueName'] } }],
        Statistic: 'Maximum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        AlarmActions: [{ Ref: 'Alerts' }],
      },
    },
    Models: {
      Type: 'AWS::SageMaker::ModelPackageGroup',
      Properties: { ModelPackageGroupName: 'cfn-models' },
    },
    Role: {
      Type: 'AWS::IAM::Role',
      Properties: {
        RoleName: 'cfn-sagemaker',
        AssumeRolePolicyDocument: {
          Statement: [
            { Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' }, Action: 'sts:AssumeRole' },
          ],
        },
      },
    },
  },
  {
    WorkQueueUrl: { Value: { Ref: 'Work' } },
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub, not a template literal
    AlertTopic: { Value: { Ref: 'Alerts' }, Export: { Name: { 'Fn::Sub': '${AWS::StackName}-alerts' } } },
  },
);

describe('CloudFormation on the stack', () => {
  const t = useTestStack();
  const cfn = () => t.stack.client(CloudFormationClient);
  const sqs = () => t.stack.client(SQSClient);
  const settled = (name: string) => stackSettled(cfn(), name);
  const events = async (StackName: string) =>
    ((await cfn().send(new DescribeStackEventsCommand({ StackName }))).StackEvents ?? [])
      .map((event) => `${event.LogicalResourceId} ${event.ResourceStatus}`)
      .reverse();
  const queueExists = (QueueName: string) =>
    sqs()
      .send(new GetQueueUrlCommand({ QueueName }))
      .then(
        () => true,
        () => false,
      );

  it('STS: GetCallerIdentity names the stack account', async () => {
    const identity = await t.stack.client(STSClient).send(new GetCallerIdentityCommand({}));

    expect(identity.Account).toBe('000000000000');
    expect(identity.Arn).toMatch(/^arn:aws:iam::000000000000:/);
  });

  it('creates a stack on the services, with its events, resources, outputs and exports', async () => {
    const created = await cfn().send(
      new CreateStackCommand({
        StackName: 'infra',
        TemplateBody: INFRA,
        Capabilities: ['CAPABILITY_NAMED_IAM'],
      }),
    );
    const stack = await settled('infra');

    expect(created.StackId).toMatch(/^arn:aws:cloudformation:us-east-1:000000000000:stack\/infra\//);
    expect(stack.StackStatus).toBe('CREATE_COMPLETE');
    expect(stack.Outputs).toEqual(
      expect.arrayContaining([
        { OutputKey: 'WorkQueueUrl', OutputValue: `${t.stack.endpoint}/000000000000/cfn-work` },
        {
          OutputKey: 'AlertTopic',
          OutputValue: 'arn:aws:sns:us-east-1:000000000000:cfn-alerts',
          ExportName: 'infra-alerts',
        },
      ]),
    );
    expect(await events('infra')).toEqual(
      expect.arrayContaining([
        'infra CREATE_IN_PROGRESS',
        'DeadLetters CREATE_COMPLETE',
        'Work CREATE_COMPLETE',
        'infra CREATE_COMPLETE',
      ]),
    );
    expect((await events('infra')).indexOf('DeadLetters CREATE_COMPLETE')).toBeLessThan(
      (await events('infra')).indexOf('Work CREATE_IN_PROGRESS'),
    );
    await t.s3.send(new HeadBucketCommand({ Bucket: 'cfn-data' }));
    expect(await queueExists('cfn-work')).toBe(true);
    expect(t.stack.queues.get('cfn-work')?.deadLetterQueue?.name).toBe('cfn-dead-letters');
    const group = await t.sagemaker.send(
      new DescribeModelPackageGroupCommand({ ModelPackageGroupName: 'cfn-models' }),
    );
    expect(group.ModelPackageGroupArn).toBe(
      'arn:aws:sagemaker:us-east-1:000000000000:model-package-group/cfn-models',
    );
    expect(
      t.stack.sns.topics
        .get('arn:aws:sns:us-east-1:000000000000:cfn-alerts')
        ?.subscriptions.map((entry) => entry.endpoint),
    ).toEqual(['arn:aws:sqs:us-east-1:000000000000:cfn-work']);
    expect(t.stack.alarms.list().map((alarm) => alarm.name)).toContain('cfn-dead-letters-waiting');
    const resources = await cfn().send(new ListStackResourcesCommand({ StackName: 'infra' }));
    expect(
      resources.StackResourceSummaries?.find((entry) => entry.LogicalResourceId === 'Role'),
    ).toMatchObject({
      PhysicalResourceId: 'cfn-sagemaker',
      ResourceType: 'AWS::IAM::Role',
      ResourceStatus: 'CREATE_COMPLETE',
    });
    expect((await cfn().send(new GetTemplateCommand({ StackName: 'infra' }))).TemplateBody).toBe(INFRA);
    expect((await cfn().send(new ListExportsCommand({}))).Exports?.map((entry) => entry.Name)).toEqual([
      'infra-alerts',
    ]);
  });

  it('resolves Fn::ImportValue across stacks, and keeps an export in use from being deleted', async () => {
    await cfn().send(
      new CreateStackCommand({
        StackName: 'consumer',
        TemplateBody: template({
          Inbox: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'cfn-inbox' } },
          InboxSubscription: {
            Type: 'AWS::SNS::Subscription',
            Properties: {
              TopicArn: { 'Fn::ImportValue': 'infra-alerts' },
              Protocol: 'sqs',
              Endpoint: { 'Fn::GetAtt': ['Inbox', 'Arn'] },
            },
          },
        }),
      }),
    );
    expect((await settled('consumer')).StackStatus).toBe('CREATE_COMPLETE');

    await cfn().send(new DeleteStackCommand({ StackName: 'infra' }));
    const refused = await settled('infra');

    expect(refused).toMatchObject({
      StackStatus: 'DELETE_FAILED',
      StackStatusReason: expect.stringContaining('in use by consumer'),
    });
    expect(await queueExists('cfn-work')).toBe(true);
  });

  it('rolls a creation back when a resource type is not provisioned: what it made is deleted', async () => {
    await cfn().send(
      new CreateStackCommand({
        StackName: 'unknown-type',
        TemplateBody: template({
          Made: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'cfn-made-then-rolled-back' } },
          Table: { Type: 'AWS::DynamoDB::Table', Properties: { TableName: 'x' }, DependsOn: 'Made' },
        }),
      }),
    );
    const stack = await settled('unknown-type');

    expect(stack).toMatchObject({
      StackStatus: 'ROLLBACK_COMPLETE',
      StackStatusReason: 'The following resource(s) failed to create: [Table]. Rollback requested by user.',
    });
    const failed = (
      (await cfn().send(new DescribeStackEventsCommand({ StackName: 'unknown-type' }))).StackEvents ?? []
    ).find((event) => event.ResourceStatus === 'CREATE_FAILED');
    expect(failed).toMatchObject({
      LogicalResourceId: 'Table',
      ResourceStatusReason: expect.stringContaining('AWS::DynamoDB::Table'),
    });
    expect(await events('unknown-type')).toEqual(
      expect.arrayContaining(['Made DELETE_COMPLETE', 'unknown-type ROLLBACK_COMPLETE']),
    );
    expect(await queueExists('cfn-made-then-rolled-back')).toBe(false);
  });

  it('rolls an update back on a broken Fn::ImportValue, leaving the previous deployment serving', async () => {
    await cfn().send(new CreateStackCommand({ StackName: 'service', TemplateBody: template(QUEUES) }));
    await settled('service');
    const visibilityBefore = t.stack.queues.get('cfn-work')?.visibilityTimeoutMs;

    await cfn().send(
      new UpdateStackCommand({
        StackName: 'service',
        TemplateBody: template({
          ...QUEUES,
          Work: { ...QUEUES.Work, Properties: { ...QUEUES.Work.Properties, VisibilityTimeout: 90 } },
          Extra: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'cfn-extra' } },
          Broken: {
            Type: 'AWS::SNS::Subscription',
            DependsOn: ['Extra', 'Work'],
            Properties: {
              TopicArn: { 'Fn::ImportValue': 'nobody-exports-this' },
              Protocol: 'sqs',
              Endpoint: 'arn:aws:sqs:us-east-1:000000000000:cfn-extra',
            },
          },
        }),
      }),
    );
    const stack = await settled('service');

    expect(stack.StackStatus).toBe('UPDATE_ROLLBACK_COMPLETE');
    const failed = (
      (await cfn().send(new DescribeStackEventsCommand({ StackName: 'service' }))).StackEvents ?? []
    ).find((event) => event.ResourceStatus === 'CREATE_FAILED');
    expect(failed).toMatchObject({
      LogicalResourceId: 'Broken',
      ResourceStatusReason: expect.stringContaining('nobody-exports-this'),
    });
    expect(await queueExists('cfn-extra')).toBe(false);
    expect(await queueExists('cfn-work')).toBe(true);
    expect(t.stack.queues.get('cfn-work')?.visibilityTimeoutMs).toBe(visibilityBefore);
    expect(
      JSON.parse((await cfn().send(new GetTemplateCommand({ StackName: 'service' }))).TemplateBody ?? '{}')
        .Resources.Extra,
    ).toBeUndefined();
  });

  it('deploys through change sets as the framework does: created, described, executed; no changes, no change set', async () => {
    const body = template({
      Queue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'cfn-by-change-set' } },
    });
    await cfn().send(
      new CreateChangeSetCommand({
        StackName: 'by-change-set',
        ChangeSetName: 'first',
        ChangeSetType: 'CREATE',
        TemplateBody: body,
      }),
    );
    const described = await cfn().send(
      new DescribeChangeSetCommand({ StackName: 'by-change-set', ChangeSetName: 'first' }),
    );
    const review = (await cfn().send(new DescribeStacksCommand({ StackName: 'by-change-set' }))).Stacks?.[0];

    expect(review?.StackStatus).toBe('REVIEW_IN_PROGRESS');
    expect(described).toMatchObject({ Status: 'CREATE_COMPLETE', ExecutionStatus: 'AVAILABLE' });
    expect(described.Changes?.map((change) => change.ResourceChange?.Action)).toEqual(['Add']);

    await cfn().send(new ExecuteChangeSetCommand({ StackName: 'by-change-set', ChangeSetName: 'first' }));
    expect((await settled('by-change-set')).StackStatus).toBe('CREATE_COMPLETE');
    expect(await queueExists('cfn-by-change-set')).toBe(true);

    await cfn().send(
      new CreateChangeSetCommand({
        StackName: 'by-change-set',
        ChangeSetName: 'again',
        ChangeSetType: 'UPDATE',
        TemplateBody: body,
      }),
    );
    const unchanged = await cfn().send(
      new DescribeChangeSetCommand({ StackName: 'by-change-set', ChangeSetName: 'again' }),
    );
    expect(unchanged).toMatchObject({
      Status: 'FAILED',
      StatusReason: expect.stringContaining("didn't contain changes"),
    });
  });

  it('updates in place what changed, removes what the template dropped, and deletes the stack', async () => {
    await cfn().send(
      new CreateStackCommand({
        StackName: 'changing',
        TemplateBody: template({
          Kept: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'cfn-kept' } },
          Dropped: { Type: 'AWS::SNS::Topic', Properties: { TopicName: 'cfn-dropped' } },
        }),
      }),
    );
    await settled('changing');
    t.stack.queues.get('cfn-kept')?.send('waiting through the update');

    await cfn().send(
      new UpdateStackCommand({
        StackName: 'changing',
        TemplateBody: template({
          Kept: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'cfn-kept', VisibilityTimeout: 120 } },
          Added: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'cfn-added' } },
        }),
      }),
    );
    const updated = await settled('changing');
    const topics = await t.stack.client(SNSClient).send(new ListTopicsCommand({}));
    const updateEvents = (await events('changing')).slice(
      (await events('changing')).indexOf('changing UPDATE_IN_PROGRESS'),
    );

    expect(updated.StackStatus).toBe('UPDATE_COMPLETE');
    expect(updateEvents).toEqual(
      expect.arrayContaining(['Added CREATE_COMPLETE', 'Dropped DELETE_COMPLETE']),
    );
    expect(updateEvents.filter((entry) => entry.startsWith('Kept '))).toEqual([
      'Kept UPDATE_IN_PROGRESS',
      'Kept UPDATE_COMPLETE',
    ]);
    expect(t.stack.queues.get('cfn-kept')?.messages.map((message) => message.body)).toEqual([
      'waiting through the update',
    ]);
    expect(t.stack.queues.get('cfn-kept')?.visibilityTimeoutMs).toBe(120_000 * 0.1);
    expect(topics.Topics?.map((topic) => topic.TopicArn)).not.toContain(
      'arn:aws:sns:us-east-1:000000000000:cfn-dropped',
    );

    await cfn().send(new DeleteStackCommand({ StackName: 'changing' }));
    const deleted = await eventually('the stack to be gone', () =>
      cfn()
        .send(new DescribeStacksCommand({ StackName: updated.StackId }))
        .then((answer) =>
          answer.Stacks?.[0]?.StackStatus === 'DELETE_COMPLETE' ? answer.Stacks[0] : undefined,
        ),
    );
    expect(deleted.StackStatus).toBe('DELETE_COMPLETE');
    await expect(cfn().send(new DescribeStacksCommand({ StackName: 'changing' }))).rejects.toMatchObject({
      name: 'ValidationError',
      message: 'Stack with id changing does not exist',
    });
    expect(await queueExists('cfn-kept')).toBe(false);
    expect(await queueExists('cfn-added')).toBe(false);
  });

  it('validates a template, and refuses one without resources', async () => {
    const valid = await cfn().send(new ValidateTemplateCommand({ TemplateBody: INFRA }));

    expect(valid.Capabilities).toEqual(['CAPABILITY_IAM']);
    await expect(
      cfn().send(new ValidateTemplateCommand({ TemplateBody: '{"Resources": {}}' })),
    ).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringContaining('At least one Resources member must be defined'),
    });
  });
});
