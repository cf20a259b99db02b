import {
  CreateProcessingJobCommand,
  DescribeTrainingJobCommand,
  type DescribeTrainingJobResponse,
  ListProcessingJobsCommand,
  ListTrainingJobsCommand,
  ResourceInUse,
  type TrainingJobSummary,
} from '@aws-sdk/client-sagemaker';
import {
  type TrainingJobStateChangeEvent,
  TrainingJobStateChangeEventSchema,
} from '@sagemaker-pipeline/shared/events';
import * as v from 'valibot';
import 'aws-sdk-client-mock-jest';
import { evaluateModel } from '../../src/evaluate-model.js';
import { evaluationJobName } from '../../src/start-evaluation.js';
import { sweepEvaluations } from '../../src/sweep.js';
import { sampleEvent } from '../events.js';
import { config, deps, sagemaker, schedule } from '../helpers/evaluate-fixtures.js';

// The sample schedule runs at 2026-11-16T03:00:00Z; the window opens 24 hours earlier.
const FROM = new Date('2026-11-15T03:00:00Z');
const TRAINED = 'mlpipe-dev-train-226ba9db57e7';
const RETRAINED = 'mlpipe-dev-retrain-0123456789ab';
const DIGEST = 'sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd12345678';
const IMAGE = `000000000000.dkr.ecr.us-east-1.amazonaws.com/mlpipe-dev@${DIGEST}`;

const summary = (name: string, ended = '2026-11-16T01:00:00Z'): TrainingJobSummary => ({
  TrainingJobName: name,
  TrainingJobArn: `arn:aws:sagemaker:us-east-1:000000000000:training-job/${name}`,
  TrainingJobStatus: 'Completed',
  CreationTime: new Date('2026-11-16T00:00:00Z'),
  TrainingEndTime: new Date(ended),
  LastModifiedTime: new Date(ended),
});

const evaluation = (trainingJobName: string) => ({
  ProcessingJobName: evaluationJobName('mlpipe-dev', trainingJobName),
  ProcessingJobArn: 'arn',
  ProcessingJobStatus: 'InProgress' as const,
  CreationTime: new Date('2026-11-16T01:00:05Z'),
});

const described = (name: string): Partial<DescribeTrainingJobResponse> => ({
  TrainingJobName: name,
  TrainingJobStatus: 'Completed',
  ModelArtifacts: {
    S3ModelArtifacts: `s3://mlpipe-dev-000000000000-us-east-1/models/${name}/output/model.tar.gz`,
  },
  AlgorithmSpecification: { TrainingImage: IMAGE, TrainingInputMode: 'File' },
});

function given(trainingJobs: TrainingJobSummary[], evaluatedJobs: string[]): void {
  sagemaker.on(ListTrainingJobsCommand).resolves({ TrainingJobSummaries: trainingJobs });
  sagemaker.on(ListProcessingJobsCommand).resolves({ ProcessingJobSummaries: evaluatedJobs.map(evaluation) });
  sagemaker
    .on(DescribeTrainingJobCommand)
    .callsFake((input: { TrainingJobName: string }) => described(input.TrainingJobName));
  sagemaker.on(CreateProcessingJobCommand).resolves({ ProcessingJobArn: 'arn:processing-job' });
}

const created = () => sagemaker.commandCalls(CreateProcessingJobCommand).map((call) => call.args[0].input);

describe('Function: sweepEvaluations', () => {
  beforeEach(() => {
    sagemaker.reset();
  });

  it('starts the evaluation of a completed training job that has none, with the exact derived name', async () => {
    // Prepare
    given([summary(TRAINED), summary(RETRAINED)], [TRAINED]);

    // Act
    const result = await sweepEvaluations(schedule(), deps);

    // Assess
    expect(sagemaker.commandCalls(ListTrainingJobsCommand).map((call) => call.args[0].input)).toEqual([
      {
        NameContains: 'mlpipe-dev-',
        StatusEquals: 'Completed',
        LastModifiedTimeAfter: FROM,
        MaxResults: 100,
        NextToken: undefined,
      },
    ]);
    expect(sagemaker.commandCalls(ListProcessingJobsCommand).map((call) => call.args[0].input)).toEqual([
      { NameContains: 'mlpipe-dev-eval-', CreationTimeAfter: FROM, MaxResults: 100, NextToken: undefined },
    ]);
    expect(sagemaker.commandCalls(DescribeTrainingJobCommand).map((call) => call.args[0].input)).toEqual([
      { TrainingJobName: RETRAINED },
    ]);
    expect(created().map((input) => input.ProcessingJobName)).toEqual([
      evaluationJobName('mlpipe-dev', RETRAINED),
    ]);
    expect(result).toEqual({
      status: 'swept',
      window: { from: '2026-11-15T03:00:00.000Z', to: '2026-11-16T03:00:00.000Z' },
      checked: 2,
      missing: 1,
      started: [evaluationJobName('mlpipe-dev', RETRAINED)],
      alreadyStarted: [],
      failed: [],
      apiCalls: 4,
    });
  });

  it("sends the request that the training job's Completed event would have sent", async () => {
    // Prepare
    given([summary(TRAINED)], []);
    const event = v.parse(
      TrainingJobStateChangeEventSchema,
      sampleEvent('training-job-completed.json'),
    ) as TrainingJobStateChangeEvent;

    // Act
    await evaluateModel(schedule(), deps);
    await evaluateModel(event, deps);

    // Assess
    const [bySweep, byEvent] = created();
    expect(bySweep).toEqual(byEvent);
    expect(bySweep?.ProcessingJobName).toBe(evaluationJobName('mlpipe-dev', TRAINED));
  });

  it('makes exactly the two List calls, and starts nothing, when every completed job has its evaluation', async () => {
    // Prepare
    given([summary(TRAINED), summary(RETRAINED)], [TRAINED, RETRAINED]);

    // Act
    const result = await sweepEvaluations(schedule(), deps);

    // Assess
    expect(sagemaker.calls().map((call) => (call.args[0] as object).constructor.name)).toEqual([
      'ListTrainingJobsCommand',
      'ListProcessingJobsCommand',
    ]);
    expect(result).toMatchObject({ checked: 2, missing: 0, started: [], apiCalls: 2 });
  });

  it('makes one List call when no training job of the pipeline completed in the window', async () => {
    // Prepare
    given([], []);

    // Act
    const result = await sweepEvaluations(schedule(), deps);

    // Assess
    expect(sagemaker.calls()).toHaveLength(1);
    expect(result).toMatchObject({ checked: 0, missing: 0, apiCalls: 1 });
  });

  it('follows NextToken through both listings', async () => {
    // Prepare
    given([], []);
    sagemaker
      .on(ListTrainingJobsCommand)
      .resolvesOnce({ TrainingJobSummaries: [summary(TRAINED)], NextToken: 'training-2' })
      .resolvesOnce({ TrainingJobSummaries: [summary(RETRAINED)] });
    sagemaker
      .on(ListProcessingJobsCommand)
      .resolvesOnce({ ProcessingJobSummaries: [], NextToken: 'eval-2' })
      .resolvesOnce({ ProcessingJobSummaries: [evaluation(RETRAINED)] });

    // Act
    const result = await sweepEvaluations(schedule(), deps);

    // Assess
    expect(
      sagemaker.commandCalls(ListTrainingJobsCommand).map((call) => call.args[0].input.NextToken),
    ).toEqual([undefined, 'training-2']);
    expect(
      sagemaker.commandCalls(ListProcessingJobsCommand).map((call) => call.args[0].input.NextToken),
    ).toEqual([undefined, 'eval-2']);
    expect(result).toMatchObject({
      checked: 2,
      missing: 1,
      started: [evaluationJobName('mlpipe-dev', TRAINED)],
      apiCalls: 6,
    });
  });

  it("ignores another pipeline's jobs that the name filter lets through, and names that are not exact", async () => {
    // Prepare
    given(
      [
        summary('mlpipe-dev-2-train-226ba9db57e7'),
        summary('mlpipe-dev-2-retrain-0123456789ab'),
        summary('mlpipe-dev-train-x'),
        summary('mlpipe-dev-train-226ba9db57e7-2'),
        summary(TRAINED),
      ],
      [TRAINED],
    );

    // Act
    const result = await sweepEvaluations(schedule(), deps);

    // Assess
    expect(result).toMatchObject({ checked: 1, missing: 0, started: [] });
    expect(sagemaker).not.toHaveReceivedCommand(DescribeTrainingJobCommand);
    expect(sagemaker).not.toHaveReceivedCommand(CreateProcessingJobCommand);
  });

  it("counts an evaluation of another pipeline's name, or a foreign one, as no evaluation", async () => {
    // Prepare
    given([summary(TRAINED)], []);
    sagemaker.on(ListProcessingJobsCommand).resolves({
      ProcessingJobSummaries: [
        { ...evaluation(TRAINED), ProcessingJobName: `${evaluationJobName('mlpipe-dev', TRAINED)}-copy` },
      ],
    });

    // Act
    const result = await sweepEvaluations(schedule(), deps);

    // Assess
    expect(result).toMatchObject({ missing: 1, started: [evaluationJobName('mlpipe-dev', TRAINED)] });
  });

  it('reports as already started an evaluation that an event started meanwhile (ResourceInUse)', async () => {
    // Prepare
    given([summary(TRAINED)], []);
    sagemaker
      .on(CreateProcessingJobCommand)
      .rejects(
        new ResourceInUse({ message: 'Job name must be unique within an AWS account', $metadata: {} }),
      );

    // Act
    const result = await sweepEvaluations(schedule(), deps);

    // Assess
    expect(result).toMatchObject({
      missing: 1,
      started: [],
      alreadyStarted: [evaluationJobName('mlpipe-dev', TRAINED)],
      failed: [],
    });
  });

  it('reports a job whose evaluation cannot be started, and still starts the others', async () => {
    // Prepare
    given([summary(TRAINED), summary(RETRAINED)], []);
    sagemaker
      .on(DescribeTrainingJobCommand, { TrainingJobName: TRAINED })
      .rejects(Object.assign(new Error('Requested resource not found.'), { name: 'ValidationException' }));
    sagemaker
      .on(CreateProcessingJobCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    sagemaker
      .on(CreateProcessingJobCommand, { ProcessingJobName: evaluationJobName('mlpipe-dev', RETRAINED) })
      .resolves({ ProcessingJobArn: 'arn' });
    const onlyFirstFails = [summary(TRAINED), summary(RETRAINED), summary('mlpipe-dev-train-0000000000ff')];
    sagemaker.on(ListTrainingJobsCommand).resolves({ TrainingJobSummaries: onlyFirstFails });

    // Act
    const result = await sweepEvaluations(schedule(), deps);

    // Assess
    expect(result).toMatchObject({
      checked: 3,
      missing: 3,
      started: [evaluationJobName('mlpipe-dev', RETRAINED)],
      alreadyStarted: [],
      failed: [
        {
          trainingJobName: TRAINED,
          error: expect.stringContaining(`Training job ${TRAINED} cannot be described`),
        },
        { trainingJobName: 'mlpipe-dev-train-0000000000ff', error: 'Rate exceeded' },
      ],
      apiCalls: 7,
    });
  });

  it('lists evaluations from the earliest end of the checked jobs when it precedes the window', async () => {
    // Prepare: the job ended before the window opened, and was modified within it.
    given([{ ...summary(TRAINED, '2026-11-15T02:00:00Z'), LastModifiedTime: FROM }], [TRAINED]);

    // Act
    await sweepEvaluations(schedule(), deps);

    // Assess
    expect(sagemaker.commandCalls(ListProcessingJobsCommand)[0]?.args[0].input.CreationTimeAfter).toEqual(
      new Date('2026-11-15T02:00:00Z'),
    );
  });

  it('lets a List call that fails through, for Lambda to retry the sweep', async () => {
    // Prepare
    sagemaker
      .on(ListTrainingJobsCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));

    // Act
    const run = sweepEvaluations(schedule(), deps);

    // Assess
    await expect(run).rejects.toThrow('Rate exceeded');
    expect(sagemaker).not.toHaveReceivedCommand(CreateProcessingJobCommand);
  });

  it('looks back SWEEP_LOOKBACK_HOURS', async () => {
    // Prepare
    given([], []);

    // Act
    const result = await sweepEvaluations(schedule(), {
      ...deps,
      config: { ...config, SWEEP_LOOKBACK_HOURS: 2 },
    });

    // Assess
    expect(result.window).toEqual({ from: '2026-11-16T01:00:00.000Z', to: '2026-11-16T03:00:00.000Z' });
    expect(sagemaker.commandCalls(ListTrainingJobsCommand)[0]?.args[0].input.LastModifiedTimeAfter).toEqual(
      new Date('2026-11-16T01:00:00Z'),
    );
  });
});
