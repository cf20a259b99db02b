import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  CreateModelPackageCommand,
  DescribeModelPackageCommand,
  DescribeProcessingJobCommand,
  type DescribeProcessingJobResponse,
  ListModelPackagesCommand,
  ListProcessingJobsCommand,
  type ProcessingJobSummary,
} from '@aws-sdk/client-sagemaker';
import { type ScheduledEvent, ScheduledEventSchema } from '@sagemaker-pipeline/shared/events';
import * as v from 'valibot';
import 'aws-sdk-client-mock-jest';
import { clientToken } from '../../src/register.js';
import { registerModelOrSweep } from '../../src/register-model.js';
import { processingJobEvent, sweepDecisions } from '../../src/sweep.js';
import { sampleEvent } from '../events.js';
import {
  BUCKET,
  body,
  config,
  depsWith,
  evaluationEvent,
  JOB,
  noSuchKey,
  s3,
  sagemaker,
  sweepOfTheDay,
} from '../helpers/register-fixtures.js';

const deps = depsWith();
const schedule = () => v.parse(ScheduledEventSchema, sampleEvent('scheduled-sweep.json')) as ScheduledEvent;

const OTHER_JOB = 'mlpipe-dev-eval-0123456789ab';
const ARN = 'arn:aws:sagemaker:us-east-1:000000000000:model-package/mlpipe-dev/1';
const FROM = new Date('2026-11-15T03:00:00Z');
/** The training job each evaluation evaluated: the sample event's for JOB. */
const trainingJobOf = (name: string) =>
  name === JOB ? 'mlpipe-dev-train-226ba9db57e7' : `mlpipe-dev-train-${name.slice(-12)}`;

/**
 * The sample event's detail as DescribeProcessingJob answers it (dates, no tags); for another job than the
 * sample's, its own name, training job and output folder.
 */
const description = (name = JOB): DescribeProcessingJobResponse => {
  const { Tags: _tags, ...detail } = sampleEvent<{ detail: Record<string, unknown> }>(
    'evaluation-completed.json',
  ).detail;
  const dates = {
    ProcessingEndTime: new Date(1794794712000),
    ProcessingStartTime: new Date(1794794530000),
    LastModifiedTime: new Date(1794794712000),
    CreationTime: new Date(1794794471000),
  };
  if (name === JOB) return { ...detail, ...dates } as unknown as DescribeProcessingJobResponse;
  const trainingJob = trainingJobOf(name);
  return {
    ...detail,
    ...dates,
    ProcessingJobName: name,
    ProcessingJobArn: `arn:aws:sagemaker:us-east-1:000000000000:processing-job/${name}`,
    ProcessingOutputConfig: {
      Outputs: [
        {
          OutputName: 'evaluation',
          S3Output: {
            S3Uri: `s3://${BUCKET}/evaluations/${trainingJob}`,
            LocalPath: '/opt/ml/processing/output',
            S3UploadMode: 'EndOfJob',
          },
        },
      ],
    },
    Environment: { ...(detail.Environment as Record<string, string>), TRAINING_JOB_NAME: trainingJob },
  } as unknown as DescribeProcessingJobResponse;
};
const summary = (name: string, status = 'Completed', extra: Partial<ProcessingJobSummary> = {}) =>
  ({
    ProcessingJobName: name,
    ProcessingJobArn: `arn:aws:sagemaker:us-east-1:000000000000:processing-job/${name}`,
    ProcessingJobStatus: status,
    CreationTime: new Date('2026-11-16T01:00:00Z'),
    LastModifiedTime: new Date('2026-11-16T01:10:00Z'),
    ...extra,
  }) as ProcessingJobSummary;
const decisionKey = (name: string) => `evaluations/${trainingJobOf(name)}/decision.json`;
const evaluationKey = (name: string) => `evaluations/${trainingJobOf(name)}/evaluation.json`;

function given(summaries: ProcessingJobSummary[], decided: string[]): void {
  sagemaker.on(ListProcessingJobsCommand).resolves({ ProcessingJobSummaries: summaries });
  sagemaker
    .on(DescribeProcessingJobCommand)
    .callsFake((input: { ProcessingJobName: string }) => description(input.ProcessingJobName));
  s3.on(GetObjectCommand).rejects(noSuchKey());
  for (const name of [JOB, OTHER_JOB]) {
    s3.on(GetObjectCommand, { Bucket: BUCKET, Key: evaluationKey(name) }).resolves({
      Body: body('{"multiclass_classification_metrics": {"accuracy": {"value": 0.94}}}'),
    });
  }
  for (const name of decided) {
    s3.on(GetObjectCommand, { Bucket: BUCKET, Key: decisionKey(name) }).resolves({
      Body: body(JSON.stringify({ status: 'registered', modelPackageArn: ARN })),
    });
  }
  sagemaker.on(ListModelPackagesCommand).resolves({ ModelPackageSummaryList: [] });
  sagemaker.on(CreateModelPackageCommand).resolves({ ModelPackageArn: ARN });
}

const commandNames = (mock: typeof sagemaker | typeof s3) =>
  mock.calls().map((call) => (call.args[0] as object).constructor.name.replace(/Command$/, ''));

describe('Function: sweepDecisions', () => {
  beforeEach(() => {
    sagemaker.reset();
    s3.reset();
  });

  it('registers the model of a completed evaluation that has no decision, with the ClientToken of its event', async () => {
    // Prepare
    given([summary(JOB), summary(OTHER_JOB)], [OTHER_JOB]);

    // Act
    const result = await sweepDecisions(schedule(), deps);

    // Assess
    expect(sagemaker.commandCalls(ListProcessingJobsCommand).map((call) => call.args[0].input)).toEqual([
      {
        NameContains: 'mlpipe-dev-eval-',
        LastModifiedTimeAfter: FROM,
        SortBy: 'CreationTime',
        SortOrder: 'Ascending',
        MaxResults: 100,
        NextToken: undefined,
      },
    ]);
    expect(sagemaker.commandCalls(DescribeProcessingJobCommand).map((call) => call.args[0].input)).toEqual([
      { ProcessingJobName: JOB },
      { ProcessingJobName: OTHER_JOB },
    ]);
    expect(
      sagemaker.commandCalls(CreateModelPackageCommand).map((call) => call.args[0].input.ClientToken),
    ).toEqual([clientToken(config, JOB)]);
    expect(s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input.Key)).toEqual([
      decisionKey(JOB),
    ]);
    expect(result).toEqual(
      sweepOfTheDay({
        checked: 2,
        missing: 1,
        registered: [JOB],
        // List, 2 Describe, 2 decision reads, evaluation.json, ListModelPackages, CreateModelPackage, decision write
        apiCalls: 9,
      }),
    );
  });

  it('sends the CreateModelPackage request that the evaluation event would have sent', async () => {
    // Prepare
    given([summary(JOB)], []);
    const event = evaluationEvent();

    // Act
    await registerModelOrSweep(schedule(), deps);
    await registerModelOrSweep(event, deps);

    // Assess
    const [bySweep, byEvent] = sagemaker
      .commandCalls(CreateModelPackageCommand)
      .map((call) => call.args[0].input);
    expect(bySweep).toEqual(byEvent);
  });

  it('makes one List call and 2 calls per completed evaluation, and registers nothing, when every one is decided', async () => {
    // Prepare
    given([summary(JOB), summary(OTHER_JOB)], [JOB, OTHER_JOB]);

    // Act
    const result = await sweepDecisions(schedule(), deps);

    // Assess
    expect(commandNames(sagemaker)).toEqual([
      'ListProcessingJobs',
      'DescribeProcessingJob',
      'DescribeProcessingJob',
    ]);
    expect(commandNames(s3)).toEqual(['GetObject', 'GetObject']);
    expect(result).toMatchObject({ checked: 2, missing: 0, registered: [], failed: [], apiCalls: 5 });
  });

  it('follows NextToken', async () => {
    // Prepare
    given([], [OTHER_JOB]);
    sagemaker
      .on(ListProcessingJobsCommand)
      .resolvesOnce({ ProcessingJobSummaries: [summary(OTHER_JOB)], NextToken: 'page-2' })
      .resolvesOnce({ ProcessingJobSummaries: [summary(JOB)] });

    // Act
    const result = await sweepDecisions(schedule(), deps);

    // Assess
    expect(
      sagemaker.commandCalls(ListProcessingJobsCommand).map((call) => call.args[0].input.NextToken),
    ).toEqual([undefined, 'page-2']);
    expect(result).toMatchObject({ checked: 2, missing: 1, registered: [JOB] });
  });

  it("ignores another pipeline's evaluations and names that are not exact, and unfinished ones", async () => {
    // Prepare
    given(
      [
        summary('mlpipe-dev-2-eval-93df12b17e33'),
        summary(`${JOB}-copy`),
        summary('mlpipe-dev-eval-x'),
        summary(OTHER_JOB, 'InProgress'),
      ],
      [],
    );

    // Act
    const result = await sweepDecisions(schedule(), deps);

    // Assess
    expect(result).toMatchObject({ checked: 0, missing: 0, registered: [], failed: [], apiCalls: 1 });
    expect(commandNames(sagemaker)).toEqual(['ListProcessingJobs']);
    expect(s3.calls()).toHaveLength(0);
  });

  it('reports a Failed or Stopped evaluation as failed with its reason, from its summary alone', async () => {
    // Prepare
    given(
      [
        summary(JOB, 'Failed', { FailureReason: 'AlgorithmError: evaluation data has no label column' }),
        summary(OTHER_JOB, 'Stopped'),
      ],
      [],
    );

    // Act
    const result = await sweepDecisions(schedule(), deps);

    // Assess
    expect(result).toMatchObject({
      checked: 0,
      missing: 0,
      failed: [
        {
          evaluationJobName: JOB,
          evaluationStatus: 'Failed',
          error: `Evaluation job ${JOB} Failed: AlgorithmError: evaluation data has no label column; nothing registered`,
        },
        {
          evaluationJobName: OTHER_JOB,
          evaluationStatus: 'Stopped',
          error: `Evaluation job ${OTHER_JOB} Stopped: no failure reason reported; nothing registered`,
        },
      ],
      apiCalls: 1,
    });
  });

  it('reports an evaluation that cannot be decided, and still decides the others', async () => {
    // Prepare
    given([summary(JOB), summary(OTHER_JOB)], []);
    s3.on(GetObjectCommand, { Bucket: BUCKET, Key: evaluationKey(JOB) }).rejects(noSuchKey());

    // Act
    const result = await sweepDecisions(schedule(), deps);

    // Assess
    expect(result).toMatchObject({
      checked: 2,
      missing: 2,
      registered: [OTHER_JOB],
      failed: [
        {
          evaluationJobName: JOB,
          evaluationStatus: 'Completed',
          error: expect.stringContaining('evaluation.json is missing'),
        },
      ],
    });
  });

  it('reports a registration found already made (its decision.json lost) as already registered', async () => {
    // Prepare
    given([summary(JOB)], []);
    sagemaker.on(ListModelPackagesCommand).resolves({
      ModelPackageSummaryList: [
        {
          ModelPackageArn: ARN,
          ModelPackageGroupName: 'mlpipe-dev',
          ModelPackageVersion: 1,
          ModelApprovalStatus: 'Approved',
          ModelPackageStatus: 'Completed',
          CreationTime: new Date('2026-11-16T01:20:00Z'),
        },
      ],
    });
    sagemaker.on(DescribeModelPackageCommand).resolves({
      ModelPackageArn: ARN,
      ModelPackageVersion: 1,
      ModelApprovalStatus: 'Approved',
      CustomerMetadataProperties: {
        'evaluation-job': JOB,
        'metric-path': config.METRIC_PATH,
        'metric-value': '0.94',
      },
    } as never);

    // Act
    const result = await sweepDecisions(schedule(), deps);

    // Assess
    expect(result).toMatchObject({ missing: 1, alreadyRegistered: [JOB], registered: [] });
    expect(sagemaker).not.toHaveReceivedCommand(CreateModelPackageCommand);
    expect(s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input.Key)).toEqual([
      decisionKey(JOB),
    ]);
  });

  it('lets a List call that fails through, for Lambda to retry the sweep', async () => {
    // Prepare
    sagemaker
      .on(ListProcessingJobsCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));

    // Act
    const run = sweepDecisions(schedule(), deps);

    // Assess
    await expect(run).rejects.toThrow('Rate exceeded');
    expect(s3.calls()).toHaveLength(0);
  });
});

describe('Function: processingJobEvent', () => {
  it('is the event SageMaker sends: the description as detail, dates in epoch milliseconds, no $metadata', () => {
    // Act
    const event = processingJobEvent(
      { ...description(JOB), $metadata: { httpStatusCode: 200 }, ExitMessage: undefined },
      schedule(),
    );

    // Assess
    const { Tags: _tags, ...sampleDetail } = sampleEvent<{ detail: Record<string, unknown> }>(
      'evaluation-completed.json',
    ).detail;
    expect(event).toMatchObject({
      'detail-type': 'SageMaker Processing Job State Change',
      source: 'aws.sagemaker',
      resources: [`arn:aws:sagemaker:us-east-1:000000000000:processing-job/${JOB}`],
    });
    expect(event.detail).toEqual(sampleDetail);
  });
});
