import { CloudFormationView } from '../../src/functions/cloudformation.js';
import type { ServiceDefinition } from '../../src/functions/serverless-config.js';

const service = (name: string, parts: Partial<ServiceDefinition>): ServiceDefinition => ({
  service: name,
  dir: `/services/${name}`,
  functions: [],
  resources: {},
  conditions: {},
  parameters: {},
  outputs: {},
  ...parts,
});

// Two services that both name a resource `Queue`, one exporting its queue's ARN and bucket to the other.
const exporter = service('infra', {
  resources: {
    Queue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'infra-queue' } },
    // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's Fn::Sub variables
    Bucket: { Type: 'AWS::S3::Bucket', Properties: { BucketName: { 'Fn::Sub': '${Prefix}-data' } } },
    Alerts: { Type: 'AWS::SNS::Topic', Properties: { TopicName: 'alerts' } },
    Subscription: {
      Type: 'AWS::SNS::Subscription',
      Condition: 'Subscribes',
      Properties: { TopicArn: { Ref: 'Alerts' }, Protocol: 'email', Endpoint: { Ref: 'Email' } },
    },
  },
  parameters: { Prefix: { Default: 'mlpipe' }, Email: { Default: '' } },
  conditions: { Subscribes: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'Email' }, ''] }] } },
  outputs: {
    QueueArn: { Value: { 'Fn::GetAtt': ['Queue', 'Arn'] }, Export: { Name: 'infra-QueueArn' } },
    // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's Fn::Sub variables
    Bucket: { Value: { Ref: 'Bucket' }, Export: { Name: { 'Fn::Sub': '${AWS::Region}-bucket' } } },
  },
});
const importer = service('stage', {
  resources: {
    Queue: {
      Type: 'AWS::SQS::Queue',
      Properties: {
        QueueName: 'stage-queue',
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::ImportValue': 'infra-QueueArn' }, maxReceiveCount: 3 },
      },
    },
    Unnamed: { Type: 'AWS::SNS::Topic' },
  },
});

describe('Class: CloudFormationView', () => {
  const view = new CloudFormationView([exporter, importer], 'eu-west-1', '111122223333');

  it("resolves a logical id within its own service's template, as CloudFormation does per stack", () => {
    expect(view.resolve({ 'Fn::GetAtt': ['Queue', 'Arn'] }, 'infra')).toBe(
      'arn:aws:sqs:eu-west-1:111122223333:infra-queue',
    );
    expect(view.resolve({ 'Fn::GetAtt': ['Queue', 'Arn'] }, 'stage')).toBe(
      'arn:aws:sqs:eu-west-1:111122223333:stage-queue',
    );
  });

  it('imports what another service exports, by an export name that is itself resolved', () => {
    expect(view.resolve({ 'Fn::ImportValue': 'infra-QueueArn' }, 'stage')).toBe(
      'arn:aws:sqs:eu-west-1:111122223333:infra-queue',
    );
    expect(view.resolve({ 'Fn::ImportValue': 'eu-west-1-bucket' }, 'stage')).toBe('mlpipe-data');
    expect(view.queues()).toContainEqual({
      name: 'stage-queue',
      visibilityTimeoutSeconds: 30,
      maxReceiveCount: 3,
      deadLetterQueue: 'infra-queue',
    });
  });

  it('answers undefined for what the stack cannot know, and keeps plain values as they are', () => {
    expect(view.resolve({ 'Fn::ImportValue': 'nobody-exports-this' }, 'stage')).toBeUndefined();
    expect(view.resolve({ 'Fn::GetAtt': ['Missing', 'Arn'] }, 'stage')).toBeUndefined();
    expect(view.resolve({ deadLetterTargetArn: 'x' }, 'stage')).toEqual({ deadLetterTargetArn: 'x' });
    expect(view.resolve(30, 'stage')).toBe(30);
  });

  it('creates a resource only where its condition holds, and names unnamed ones by stack and logical id', () => {
    expect(view.subscriptions()).toEqual([]);
    expect(view.topics().sort()).toEqual(['alerts', 'stage-Unnamed']);
    const subscribed = new CloudFormationView(
      [{ ...exporter, parameters: { ...exporter.parameters, Email: { Default: 'ops@example.com' } } }],
      'eu-west-1',
      '111122223333',
    );
    expect(subscribed.subscriptions()).toEqual([
      {
        topicArn: 'arn:aws:sns:eu-west-1:111122223333:alerts',
        protocol: 'email',
        endpoint: 'ops@example.com',
        rawMessageDelivery: false,
      },
    ]);
  });
});
