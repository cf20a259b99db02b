import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { packageTemplateWith, resourcesOfType } from '@sagemaker-pipeline/testing/cloudformation';
import {
  arn,
  describeStageTemplate,
  PASS_ROLE,
  sendToDeadLetters,
} from '@sagemaker-pipeline/testing/stage-template';

const serviceDir = fileURLToPath(new URL('../..', import.meta.url));
const TRAINING_JOBS = arn('sagemaker', 'training-job/mlpipe-dev-train-*');
const RETRAINING_JOBS = arn('sagemaker', 'training-job/mlpipe-dev-retrain-*');

/** infra's queue setting, read from its serverless.yml so that the two cannot drift apart unnoticed. */
function infraVisibilityTimeout(): number {
  const infra = readFileSync(new URL('../../../infra/serverless.yml', import.meta.url), 'utf8');
  const match = /^\s*retrainVisibilityTimeout:\s*(\d+)\s*$/m.exec(infra);
  if (!match?.[1]) throw new Error('retrainVisibilityTimeout not found in packages/infra/serverless.yml');
  return Number(match[1]);
}

const { template } = describeStageTemplate({
  stage: 'retrain-model',
  serviceDir,
  role: {
    allows:
      'the queue, listing the training-data prefix, ListTrainingJobs, describing the train- and retrain- jobs of the pipeline, starting retrain- jobs, PassRole, its dead-letter queue and its logs',
    statements: [
      // added by serverless-iam-roles-per-function for the sqs event: what the event source mapping polls with
      {
        Effect: 'Allow',
        Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
        Resource: [arn('sqs', 'mlpipe-dev-retrain')],
      },
      {
        Effect: 'Allow',
        Action: ['s3:ListBucket'],
        Resource: ['arn:aws:s3:::mlpipe-dev-000000000000-us-east-1'],
        Condition: { StringLike: { 's3:prefix': ['training-data/*'] } },
      },
      { Effect: 'Allow', Action: ['sagemaker:ListTrainingJobs'], Resource: ['*'] },
      {
        Effect: 'Allow',
        Action: ['sagemaker:DescribeTrainingJob'],
        Resource: [TRAINING_JOBS, RETRAINING_JOBS],
      },
      {
        Effect: 'Allow',
        Action: ['sagemaker:CreateTrainingJob', 'sagemaker:AddTags'],
        Resource: [RETRAINING_JOBS],
      },
      PASS_ROLE,
      sendToDeadLetters('retrain-model'),
    ],
    onAnyResource: {
      actions: ['sagemaker:ListTrainingJobs'],
      why: 'ListTrainingJobs, which has no resource-level permission',
    },
  },
});

describe('Template: retrain-model event source and concurrency', () => {
  const fn = template.Resources.RetrainModelLambdaFunction?.Properties ?? {};

  it("polls infra's retrain queue in large batches with a window and partial batch responses", () => {
    const mappings = resourcesOfType(template, 'AWS::Lambda::EventSourceMapping');
    expect(mappings).toHaveLength(1);
    const properties = mappings[0]?.[1].Properties ?? {};
    expect(properties).toEqual({
      BatchSize: 1000,
      MaximumBatchingWindowInSeconds: 60,
      EventSourceArn: {
        'Fn::Join': [
          ':',
          [
            'arn',
            { Ref: 'AWS::Partition' },
            'sqs',
            { Ref: 'AWS::Region' },
            { Ref: 'AWS::AccountId' },
            'mlpipe-dev-retrain',
          ],
        ],
      },
      FunctionName: { 'Fn::GetAtt': ['RetrainModelLambdaFunction', 'Arn'] },
      Enabled: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('runs one batch, or one sweep, at a time', () => {
    expect(fn.ReservedConcurrentExecutions).toBe(1);
  });

  it('sends a sweep it gave up on (2 retries, an hour at most) to its own dead-letter queue, which alarms', () => {
    const [config] = resourcesOfType(template, 'AWS::Lambda::EventInvokeConfig');
    expect(config?.[1].Properties).toMatchObject({
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 3600,
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': ['RetrainModelDeadLetterQueue', 'Arn'] } },
      },
    });
    expect(template.Resources.RetrainModelDeadLetterQueue?.Properties).toMatchObject({
      QueueName: 'mlpipe-dev-retrain-model-dlq',
    });
    expect(template.Resources.RetrainModelDeadLetterQueueAlarm?.Properties).toMatchObject({
      AlarmName: 'mlpipe-dev-retrain-model-dlq-not-empty',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 0,
    });
  });

  it('runs its sweep hourly, and not at all when sweepSchedule is off', () => {
    const schedules = (packaged: typeof template) =>
      resourcesOfType(packaged, 'AWS::Events::Rule').map(([, rule]) => rule.Properties?.ScheduleExpression);

    expect(schedules(template)).toEqual(['rate(1 hour)']);
    expect(schedules(packageTemplateWith(serviceDir, ['sweepSchedule=off']))).toEqual([]);
    expect(schedules(packageTemplateWith(serviceDir, ['sweepSchedule=rate(6 hours)']))).toEqual([
      'rate(6 hours)',
    ]);
  });

  it("times out well within the queue's visibility timeout, as AWS recommends (6 x timeout + window)", () => {
    const visibility = infraVisibilityTimeout();
    expect(fn.Timeout).toBe(120);
    expect(6 * Number(fn.Timeout) + 60).toBeLessThanOrEqual(visibility);
  });

  it('gets the training settings as plain strings, with no image by default', () => {
    expect(fn.Environment).toEqual({
      Variables: {
        POWERTOOLS_SERVICE_NAME: 'retrain-model',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        PIPELINE_NAME: 'mlpipe-dev',
        SAGEMAKER_ROLE: 'arn:aws:iam::000000000000:role/mlpipe-dev-sagemaker',
        S3_TRAINING_DATA_URI: 's3://mlpipe-dev-000000000000-us-east-1/training-data',
        S3_OUTPUT_PATH: 's3://mlpipe-dev-000000000000-us-east-1/models',
        TRAINING_INSTANCE_TYPE: 'ml.m5.large',
        MODEL_IMAGE_URI: '',
      },
    });
  });
});
