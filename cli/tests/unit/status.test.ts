import { GetObjectCommand, type GetObjectCommandOutput, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelPackageCommand,
  DescribeProcessingJobCommand,
  DescribeTrainingJobCommand,
  ListModelPackagesCommand,
  ListProcessingJobsCommand,
  ListTagsCommand,
  ListTrainingJobsCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  QueueDoesNotExist,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { pipelineNames } from '@sagemaker-pipeline/shared/contracts';
import { sagemakerError } from '@sagemaker-pipeline/testing/aws-errors';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { main } from '../../src/main.js';
import { formatStatus, pipelineStatus } from '../../src/status.js';

const sagemaker = mockClient(SageMakerClient);
const s3 = mockClient(S3Client);
const sqs = mockClient(SQSClient);
const names = pipelineNames({ stage: 'dev' });
const ARN = 'arn:aws:sagemaker:us-east-1:123456789012';
const AT = new Date('2026-12-03T10:00:00Z');
const validation = (message: string) => sagemakerError('ValidationException', message);
const body = (value: unknown) =>
  ({ transformToString: async () => JSON.stringify(value) }) as unknown as GetObjectCommandOutput['Body'];

const status = () =>
  pipelineStatus({
    sagemaker: new SageMakerClient({}),
    s3: new S3Client({}),
    sqs: new SQSClient({}),
    names,
    now: () => AT,
  });

/** A pipeline that served version 1, is deploying version 2, and rejected one evaluation. */
function busyPipeline(): void {
  sagemaker.on(DescribeEndpointCommand).resolves({
    EndpointName: 'mlpipe-dev',
    EndpointStatus: 'Updating',
    EndpointConfigName: 'config-v1',
    PendingDeploymentSummary: { EndpointConfigName: 'config-v2' },
    LastModifiedTime: AT,
  });
  for (const version of [1, 2]) {
    sagemaker
      .on(DescribeEndpointConfigCommand, { EndpointConfigName: `config-v${version}` })
      .resolves({ EndpointConfigArn: `${ARN}:endpoint-config/config-v${version}` });
    sagemaker
      .on(ListTagsCommand, { ResourceArn: `${ARN}:endpoint-config/config-v${version}` })
      .resolves({ Tags: [{ Key: 'model-package-version', Value: String(version) }] });
    sagemaker
      .on(DescribeModelPackageCommand, { ModelPackageName: `${ARN}:model-package/mlpipe-dev/${version}` })
      .resolves({
        ModelPackageVersion: version,
        ModelApprovalStatus: 'Approved',
        CreationTime: AT,
        CustomerMetadataProperties: {
          'metric-path': 'multiclass_classification_metrics.accuracy.value',
          'metric-value': version === 1 ? '0.9571428571428572' : '0.97',
          gate: 'passed',
          'training-job': `mlpipe-dev-train-00000000000${version}`,
        },
      });
  }
  sagemaker.on(ListModelPackagesCommand).resolves({
    ModelPackageSummaryList: [2, 1].map((version) => ({
      ModelPackageArn: `${ARN}:model-package/mlpipe-dev/${version}`,
      ModelPackageGroupName: 'mlpipe-dev',
      ModelPackageStatus: 'Completed',
      CreationTime: AT,
    })),
  });
  sagemaker.on(ListProcessingJobsCommand).resolves({ ProcessingJobSummaries: [] });
  sagemaker.on(ListProcessingJobsCommand, { StatusEquals: 'Completed' }).resolves({
    ProcessingJobSummaries: [
      {
        ProcessingJobName: 'mlpipe-dev-eval-aaaaaaaaaaaa',
        ProcessingJobArn: 'a',
        ProcessingJobStatus: 'Completed',
        CreationTime: AT,
      },
      // another pipeline whose name extends this one's: never read
      {
        ProcessingJobName: 'mlpipe-dev-2-eval-bbbbbbbbbbbb',
        ProcessingJobArn: 'b',
        ProcessingJobStatus: 'Completed',
        CreationTime: AT,
      },
    ],
  });
  sagemaker.on(DescribeProcessingJobCommand).resolves({
    ProcessingEndTime: AT,
    ProcessingOutputConfig: {
      Outputs: [
        {
          OutputName: 'evaluation',
          S3Output: {
            S3Uri: 's3://b/evaluations/mlpipe-dev-retrain-cccccccccccc',
            LocalPath: '/opt/ml/processing/evaluation',
            S3UploadMode: 'EndOfJob',
          },
        },
      ],
    },
  });
  s3.on(GetObjectCommand, {
    Bucket: 'b',
    Key: 'evaluations/mlpipe-dev-retrain-cccccccccccc/decision.json',
  }).resolves({
    Body: body({
      status: 'rejected',
      reasons: ['accuracy 0.9 does not beat the champion version 1 (0.957)'],
    }),
  });
  sagemaker.on(ListTrainingJobsCommand).resolves({ TrainingJobSummaries: [] });
  sagemaker.on(ListTrainingJobsCommand, { StatusEquals: 'Failed' }).resolves({
    TrainingJobSummaries: [
      {
        TrainingJobName: 'mlpipe-dev-retrain-dddddddddddd',
        TrainingJobArn: 'd',
        TrainingJobStatus: 'Failed',
        CreationTime: AT,
        TrainingEndTime: AT,
      },
    ],
  });
  sagemaker.on(DescribeTrainingJobCommand).resolves({ FailureReason: 'AlgorithmError: no label column' });
  sqs.on(GetQueueUrlCommand).callsFake(({ QueueName }: { QueueName: string }) => {
    if (QueueName.endsWith('-retrain-dlq'))
      throw new QueueDoesNotExist({ message: 'no queue', $metadata: {} });
    return { QueueUrl: `https://sqs/${QueueName}` };
  });
  sqs.on(GetQueueAttributesCommand).callsFake(({ QueueUrl }: { QueueUrl: string }) => ({
    Attributes: { ApproximateNumberOfMessages: QueueUrl.endsWith('deploy-model-dlq') ? '2' : '0' },
  }));
}

describe('Function: pipelineStatus', () => {
  beforeEach(() => {
    sagemaker.reset();
    s3.reset();
    sqs.reset();
  });

  it('reads what the endpoint serves and deploys, the versions, decisions, failures and queues', async () => {
    // Prepare
    busyPipeline();

    // Act
    const result = await status();

    // Assess
    expect(result.endpoint).toEqual({
      name: 'mlpipe-dev',
      status: 'Updating',
      servingVersion: 1,
      deployingVersion: 2,
      configName: 'config-v1',
      lastModified: AT.toISOString(),
    });
    expect(result.versions.map((v) => [v.version, v.serving])).toEqual([
      [2, false],
      [1, true],
    ]);
    expect(result.decisions).toEqual([
      {
        evaluationJob: 'mlpipe-dev-eval-aaaaaaaaaaaa',
        finished: AT.toISOString(),
        decision: 'rejected',
        reasons: ['accuracy 0.9 does not beat the champion version 1 (0.957)'],
      },
    ]);
    expect(result.failures).toEqual([
      {
        kind: 'training',
        name: 'mlpipe-dev-retrain-dddddddddddd',
        status: 'Failed',
        detail: 'AlgorithmError: no label column',
        at: AT.toISOString(),
      },
    ]);
    expect(result.deadLetters.find((q) => q.queue === 'mlpipe-dev-deploy-model-dlq')).toEqual({
      queue: 'mlpipe-dev-deploy-model-dlq',
      messages: 2,
    });
    expect(result.deadLetters.find((q) => q.queue === 'mlpipe-dev-retrain-dlq')).toEqual({
      queue: 'mlpipe-dev-retrain-dlq',
    });
    expect(sagemaker).toHaveReceivedCommandTimes(DescribeProcessingJobCommand, 1);
  });

  it('asks the services for the newest few, sorted and filtered by them, not whole listings', async () => {
    busyPipeline();

    await status();

    expect(sagemaker).toHaveReceivedCommandWith(ListModelPackagesCommand, {
      ModelPackageGroupName: 'mlpipe-dev',
      SortBy: 'CreationTime',
      SortOrder: 'Descending',
      MaxResults: 5,
    });
    expect(sagemaker).toHaveReceivedCommandWith(ListTrainingJobsCommand, {
      NameContains: 'mlpipe-dev-',
      StatusEquals: 'InProgress',
      SortOrder: 'Descending',
      MaxResults: 5,
    });
    expect(sagemaker.commandCalls(ListTrainingJobsCommand)).toHaveLength(2);
    expect(sagemaker.commandCalls(ListProcessingJobsCommand)).toHaveLength(3);
  });

  it('says so when nothing is deployed yet: no endpoint, no group, no decisions', async () => {
    sagemaker.on(DescribeEndpointCommand).rejects(validation('Could not find endpoint "mlpipe-dev".'));
    sagemaker
      .on(ListModelPackagesCommand)
      .rejects(validation('Model package group mlpipe-dev does not exist.'));
    sagemaker.on(ListProcessingJobsCommand).resolves({});
    sagemaker.on(ListTrainingJobsCommand).resolves({});
    sqs.on(GetQueueUrlCommand).rejects(new QueueDoesNotExist({ message: 'no queue', $metadata: {} }));

    const result = await status();
    const text = formatStatus(result);

    expect(result.endpoint).toEqual({ name: 'mlpipe-dev', status: 'absent' });
    expect(text).toContain('Endpoint mlpipe-dev: none yet');
    expect(text).toContain('none registered');
    expect(text).toContain('not deployed: mlpipe-dev-trigger-training-dlq');
  });

  it('prints a line per question, and the replay command for a queue with messages', async () => {
    busyPipeline();

    const text = formatStatus(await status());

    expect(text).toContain('Endpoint mlpipe-dev: Updating, serving version 1, deploying version 2');
    expect(text).toMatch(
      /^ {2}1 +Approved +2026-12-03 10:00:00Z +accuracy 0\.957 +passed +mlpipe-dev-train-000000000001 +yes$/m,
    );
    expect(text).toContain(
      'mlpipe-dev-eval-aaaaaaaaaaaa  2026-12-03 10:00:00Z  rejected: accuracy 0.9 does not beat',
    );
    expect(text).toContain(
      'training mlpipe-dev-retrain-dddddddddddd Failed at 2026-12-03 10:00:00Z: AlgorithmError',
    );
    expect(text).toContain(
      'mlpipe-dev-deploy-model-dlq: 2 message(s) waiting; replay: pnpm run pipeline replay --queue mlpipe-dev-deploy-model-dlq',
    );
  });

  it('reports an evaluation without decision.json as undecided', async () => {
    busyPipeline();
    s3.on(GetObjectCommand).rejects(new NoSuchKey({ message: 'no key', $metadata: {} }));

    const result = await status();

    expect(result.decisions.map((d) => d.decision)).toEqual(['undecided']);
  });
});

describe('Command: pipeline status', () => {
  beforeEach(() => {
    sagemaker.reset();
    s3.reset();
    sqs.reset();
  });

  it.each([
    [['status', '--newest', '0'], '--newest must be a whole number from 1 to 100, not 0'],
    [['status', '--stage', 'prod env'], '--stage must be letters, digits and single hyphens, not "prod env"'],
    [['status', '--prefix', 'ml_pipe'], '--prefix must be letters, digits and single hyphens, not "ml_pipe"'],
    [['status', '--bogus'], "Unknown option '--bogus'"],
  ])('refuses %j with a usage error and makes no AWS call', async (argv, message) => {
    const errors: string[] = [];

    const code = await main(
      argv,
      () => undefined,
      (line) => errors.push(line),
    );

    expect(code).toBe(2);
    expect(errors.join('\n')).toContain(message);
    expect(sagemaker.calls()).toHaveLength(0);
    expect(sqs.calls()).toHaveLength(0);
  });
});
