import { fileURLToPath } from 'node:url';
import {
  actionsOnAnyResource,
  type CfnResource,
  type CfnTemplate,
  conditionHolds,
  PSEUDO_PARAMETERS,
  readPackagedTemplate,
  resolveValue,
  resourcesOfType,
  roleStatements,
} from '@sagemaker-pipeline/testing/cloudformation';

const serviceDir = fileURLToPath(new URL('../..', import.meta.url));
const template = readPackagedTemplate(serviceDir);
const BUCKET = 'mlpipe-dev-000000000000-us-east-1';

/** The subscriptions the stack creates when it deploys with its parameters' defaults. */
/** The subscriptions CloudFormation creates with the parameters' defaults, or with `values` for some. */
function subscribed(packaged: CfnTemplate, values: Record<string, string> = {}): string[] {
  return resourcesOfType(packaged, 'AWS::SNS::Subscription')
    .filter(([, subscription]) => conditionHolds(packaged, String(subscription.Condition), values))
    .map(([id]) => id);
}

function resource(id: string): CfnResource {
  const found = template.Resources[id];
  if (!found) throw new Error(`${id} is not in the template`);
  return found;
}

describe('Template: pipeline bucket', () => {
  const bucket = resource('PipelineBucket').Properties ?? {};

  it('is named predictably, blocks public access, encrypts by default and keeps versions', () => {
    expect(bucket.BucketName).toBe(BUCKET);
    expect(bucket.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [
        { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: true },
      ],
    });
    expect(bucket.VersioningConfiguration).toEqual({ Status: 'Enabled' });
  });

  it('refuses every request that does not use TLS', () => {
    const policy = resource('PipelineBucketPolicy').Properties?.PolicyDocument as {
      Statement: Record<string, unknown>[];
    };
    expect(policy.Statement).toEqual([
      expect.objectContaining({
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    ]);
    const resources = ((policy.Statement[0]?.Resource ?? []) as unknown[]).map((r) =>
      resolveValue(r, template),
    );
    expect(resources).toEqual([`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`]);
  });

  it('sends ObjectCreated notifications under the training-data prefix to the retrain queue', () => {
    expect(bucket.NotificationConfiguration).toEqual({
      QueueConfigurations: [
        {
          Event: 's3:ObjectCreated:*',
          Queue: { 'Fn::GetAtt': ['RetrainQueue', 'Arn'] },
          Filter: { S3Key: { Rules: [{ Name: 'prefix', Value: 'training-data/' }] } },
        },
      ],
    });
    expect(resource('PipelineBucket').DependsOn).toEqual(['RetrainQueuePolicy']);
  });
});

describe('Template: retrain queue', () => {
  it('redrives to a dead-letter queue after enough receives to outwait a training job', () => {
    const queue = resource('RetrainQueue').Properties ?? {};
    expect(queue.QueueName).toBe('mlpipe-dev-retrain');
    expect(queue.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': ['RetrainDeadLetterQueue', 'Arn'] },
      maxReceiveCount: 24,
    });
    expect(queue.VisibilityTimeout).toBe(900);
    expect(resource('RetrainDeadLetterQueue').Properties?.QueueName).toBe('mlpipe-dev-retrain-dlq');
  });

  it('keeps dead letters longer than the queue keeps messages, so none expires on the way to the DLQ', () => {
    // A message moved to a standard queue's DLQ keeps its original enqueue time.
    const retention = (id: string) => Number(resource(id).Properties?.MessageRetentionPeriod);
    expect(retention('RetrainDeadLetterQueue')).toBe(1209600);
    expect(retention('RetrainDeadLetterQueue')).toBeGreaterThan(retention('RetrainQueue'));
    // and the queue keeps messages long enough for every receive the redrive policy allows
    const queue = resource('RetrainQueue').Properties ?? {};
    expect(Number(queue.VisibilityTimeout) * 24).toBeLessThan(retention('RetrainQueue'));
  });

  it('accepts messages from S3 only, and only from the pipeline bucket of this account', () => {
    const policy = resource('RetrainQueuePolicy').Properties?.PolicyDocument as {
      Statement: Record<string, unknown>[];
    };
    expect(policy.Statement).toHaveLength(1);
    const [statement] = policy.Statement;
    expect(statement).toMatchObject({
      Effect: 'Allow',
      Principal: { Service: 's3.amazonaws.com' },
      Action: 'sqs:SendMessage',
    });
    const condition = statement?.Condition as Record<string, Record<string, unknown>>;
    expect(resolveValue(condition.ArnEquals?.['aws:SourceArn'], template)).toBe(`arn:aws:s3:::${BUCKET}`);
    expect(condition.StringEquals?.['aws:SourceAccount']).toEqual({ Ref: 'AWS::AccountId' });
  });
});

describe('Template: retrain dead-letter queue alarm', () => {
  const alarm = resource('RetrainDeadLetterQueueAlarm').Properties ?? {};

  it('goes off as soon as one message is visible in the dead-letter queue', () => {
    expect(alarm).toMatchObject({
      AlarmName: 'mlpipe-dev-retrain-dlq-not-empty',
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['RetrainDeadLetterQueue', 'QueueName'] } }],
      Statistic: 'Maximum',
      Period: 60,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
      TreatMissingData: 'notBreaching',
    });
  });

  it('tells the alert topic once, when it goes off, and not when the queue is empty again', () => {
    expect(alarm.AlarmActions).toEqual([{ Ref: 'AlertTopic' }]);
    expect(alarm.OKActions).toBeUndefined();
    expect(alarm.InsufficientDataActions).toBeUndefined();
  });

  it('says what was lost, where to look and how to replay it', () => {
    const description = String(alarm.AlarmDescription);
    expect(description).toContain('New training data of mlpipe-dev was not trained on');
    expect(description).toContain('/aws/lambda/mlpipe-dev-retrain-model-dev-retrainModel');
    expect(description).toContain('pnpm run pipeline replay --queue mlpipe-dev-retrain-dlq');
    expect(description.length).toBeLessThanOrEqual(1024);
  });
});

describe('Template: alert topic', () => {
  it('is named <pipeline>-alerts, the ARN the stages build, and left without KMS so that alarms can publish', () => {
    expect(resource('AlertTopic').Properties).toEqual({
      TopicName: 'mlpipe-dev-alerts',
      DisplayName: 'mlpipe-dev alerts',
      Tags: [{ Key: 'pipeline', Value: 'mlpipe-dev' }],
    });
  });

  it("lets CloudWatch publish for this account's alarms only", () => {
    const policy = resource('AlertTopicPolicy').Properties ?? {};
    expect(policy.Topics).toEqual([{ Ref: 'AlertTopic' }]);
    expect((policy.PolicyDocument as { Statement: unknown[] }).Statement).toEqual([
      {
        Sid: 'AllowAlarmsOfThisAccount',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: { Ref: 'AlertTopic' },
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      },
    ]);
  });

  it('has one subscription per parameter, each by its condition', () => {
    const subscriptions = resourcesOfType(template, 'AWS::SNS::Subscription').map(([id, subscription]) => [
      id,
      subscription.Condition,
      subscription.Properties,
    ]);
    expect(subscriptions).toEqual([
      [
        'AlertEmailSubscription',
        'SubscribesAlertEmail',
        { TopicArn: { Ref: 'AlertTopic' }, Protocol: 'email', Endpoint: { Ref: 'AlertEmail' } },
      ],
      [
        'AlertHttpsSubscription',
        'SubscribesAlertHttpsUrl',
        { TopicArn: { Ref: 'AlertTopic' }, Protocol: 'https', Endpoint: { Ref: 'AlertHttpsUrl' } },
      ],
      [
        'AlertQueueSubscription',
        'SubscribesAlertQueue',
        { TopicArn: { Ref: 'AlertTopic' }, Protocol: 'sqs', Endpoint: { Ref: 'AlertQueueArn' } },
      ],
    ]);
  });

  it('subscribes nobody by default', () => {
    expect(subscribed(template)).toEqual([]);
    expect(Object.values(template.Parameters ?? {}).map(({ Type, Default }) => ({ Type, Default }))).toEqual([
      { Type: 'String', Default: '' },
      { Type: 'String', Default: '' },
      { Type: 'String', Default: '' },
    ]);
  });

  it('subscribes the address given as alertEmail (the AlertEmail parameter), and nothing else', () => {
    // Packaging again with --param would rewrite this service's package under the feet of the suites that read
    // it in parallel: the parameter's value is given to the conditions instead.
    expect(subscribed(template, { AlertEmail: 'ops@example.com' })).toEqual(['AlertEmailSubscription']);
    expect(subscribed(template, { AlertQueueArn: 'arn:aws:sqs:us-east-1:123456789012:ops' })).toEqual([
      'AlertQueueSubscription',
    ]);
  });

  it('refuses a parameter that is not of its protocol, at deploy time', () => {
    const accepts = (parameter: string, value: string) =>
      new RegExp(String(template.Parameters?.[parameter]?.AllowedPattern)).test(value);
    expect(accepts('AlertEmail', 'ops@example.com')).toBe(true);
    expect(accepts('AlertEmail', 'ops.example.com')).toBe(false);
    expect(accepts('AlertHttpsUrl', 'https://hooks.example.com/alerts')).toBe(true);
    expect(accepts('AlertHttpsUrl', 'http://hooks.example.com/alerts')).toBe(false);
    expect(accepts('AlertQueueArn', 'arn:aws:sqs:us-east-1:123456789012:ops-alerts')).toBe(true);
    expect(accepts('AlertQueueArn', 'arn:aws:sqs:us-east-1:123456789012:ops-alerts.fifo')).toBe(false);
    expect(accepts('AlertQueueArn', 'ops-alerts')).toBe(false);
  });
});

describe('Template: SageMaker execution role', () => {
  const role = resource('SageMakerExecutionRole');
  const statements = roleStatements(role, PSEUDO_PARAMETERS, template);

  it('is assumed by SageMaker only, from this account', () => {
    expect(role.Properties?.RoleName).toBe('mlpipe-dev-sagemaker');
    expect(role.Properties?.AssumeRolePolicyDocument).toMatchObject({
      Statement: [
        { Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' }, Action: 'sts:AssumeRole' },
      ],
    });
  });

  it('reads and writes only the pipeline prefixes of the pipeline bucket', () => {
    const s3 = statements.filter((s) => s.Action.some((a) => a.startsWith('s3:')));
    expect(s3.map((s) => [s.Action, s.Resource])).toEqual([
      [
        ['s3:GetObject'],
        [
          `arn:aws:s3:::${BUCKET}/training-data/*`,
          `arn:aws:s3:::${BUCKET}/evaluation-data/*`,
          `arn:aws:s3:::${BUCKET}/models/*`,
        ],
      ],
      [['s3:PutObject'], [`arn:aws:s3:::${BUCKET}/models/*`, `arn:aws:s3:::${BUCKET}/evaluations/*`]],
      [['s3:ListBucket'], [`arn:aws:s3:::${BUCKET}`]],
    ]);
  });

  it('pulls images from the pipeline repository only, with "*" only where AWS has no resource-level permission', () => {
    const ecr = statements.filter((s) => s.Action.some((a) => a.startsWith('ecr:')));
    expect(ecr.map((s) => [s.Action, s.Resource])).toEqual([
      [
        ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
        [`arn:aws:ecr:us-east-1:${PSEUDO_PARAMETERS['AWS::AccountId']}:repository/mlpipe-dev`],
      ],
      [['ecr:GetAuthorizationToken'], ['*']],
    ]);
    expect(actionsOnAnyResource(statements).sort()).toEqual([
      'cloudwatch:PutMetricData',
      'ecr:GetAuthorizationToken',
    ]);
  });
});

describe('Template: exports', () => {
  it('exports what the stages need under predictable names', () => {
    const names = Object.values(template.Outputs ?? {}).map((output) => output.Export?.Name);
    expect(names).toEqual(
      expect.arrayContaining([
        'mlpipe-dev-BucketName',
        'mlpipe-dev-ImageRepositoryName',
        'mlpipe-dev-SageMakerRoleArn',
        'mlpipe-dev-ModelPackageGroupName',
        'mlpipe-dev-RetrainQueueArn',
        'mlpipe-dev-AlertTopicArn',
        'mlpipe-dev-AlertTopicName',
      ]),
    );
    expect(template.Outputs?.AlertTopicArn?.Value).toEqual({ Ref: 'AlertTopic' });
    expect(template.Outputs?.AlertTopicName?.Value).toEqual({ 'Fn::GetAtt': ['AlertTopic', 'TopicName'] });
  });
});
