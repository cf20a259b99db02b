/**
 * Bad input for evaluate-model: at least 500 generated malformed or foreign training job events through the
 * wired handler; each is refused as invalid (naming a field) or skipped, with no AWS call. The mocks describe
 * any training job as a completed one of the pipeline, so an event let through would start an evaluation.
 */
import {
  CreateProcessingJobCommand,
  DescribeTrainingJobCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { BUCKET, evaluateModelCases, IMAGE, trainingJobStateChange } from '../../src/arbitraries.js';
import { recordFigures } from '../../src/figures.js';
import { check, lambdaContext, newTally, RUNS, seedFor, sentCommands } from './harness.js';

const FUNCTION = 'evaluate-model';

// The stage environment (packages/evaluate-model/tests/setup-env.ts), set before the handler is loaded.
Object.assign(process.env, {
  PIPELINE_NAME: 'mlpipe-dev',
  SAGEMAKER_ROLE: 'arn:aws:iam::000000000000:role/mlpipe-dev-sagemaker',
  EVALUATION_DATA_URI: `s3://${BUCKET}/evaluation-data`,
  S3_EVALUATION_RESULTS_URI: `s3://${BUCKET}/evaluations`,
});
delete process.env.AWS_ENDPOINT_URL;
delete process.env.EVALUATION_IMAGE_URI;

const sagemaker = mockClient(SageMakerClient);
sagemaker.on(DescribeTrainingJobCommand).callsFake((input: { TrainingJobName: string }) => ({
  TrainingJobName: input.TrainingJobName,
  TrainingJobStatus: 'Completed',
  ModelArtifacts: { S3ModelArtifacts: `s3://${BUCKET}/models/${input.TrainingJobName}/output/model.tar.gz` },
  AlgorithmSpecification: { TrainingImage: `${IMAGE}:latest`, TrainingInputMode: 'File' },
}));
sagemaker
  .on(CreateProcessingJobCommand)
  .resolves({ ProcessingJobArn: 'arn:aws:sagemaker:us-east-1:000000000000:processing-job/x' });
const { main } = await import('../../../packages/evaluate-model/src/handler.js');

const tally = newTally();

describe(`Function: ${FUNCTION}, bad input`, () => {
  afterAll(() => {
    recordFigures(`bad-input-${FUNCTION}`, { perFunction: { [FUNCTION]: tally } });
  });

  it('starts an evaluation for a completed pipeline training job, so the mocks do see writes', async () => {
    const event = fc.sample(trainingJobStateChange, { numRuns: 1, seed: seedFor(FUNCTION) })[0] as {
      detail: Record<string, unknown>;
    };
    event.detail.TrainingJobStatus = 'Completed';
    sagemaker.resetHistory();

    const result = await main(event, lambdaContext(FUNCTION));

    expect(result).toMatchObject({ status: 'started' });
    expect(sentCommands([sagemaker])).toEqual(['DescribeTrainingJob', 'CreateProcessingJob']);
  });

  it(`refuses or skips ${RUNS} malformed or foreign events without any AWS call or crash`, async () => {
    await fc.assert(
      fc.asyncProperty(evaluateModelCases, (bad) => check(main, FUNCTION, [sagemaker], bad, tally)),
      { numRuns: RUNS, seed: seedFor(FUNCTION) },
    );

    expect(tally).toMatchObject({ writes: 0, crashes: 0 });
    expect(tally.tried).toBeGreaterThanOrEqual(500);
    expect(tally.invalid + tally.skipped).toBe(tally.tried);
  });

  it('tried every kind of defect', () => {
    expect(Object.keys(tally.kinds).sort()).toEqual(
      expect.arrayContaining([
        'array-event',
        'bad-datetime',
        'detail-not-object',
        'empty-string',
        'deeply-nested',
        'extra-field',
        'foreign-detail',
        'huge-string',
        'json-string-event',
        'missing-field',
        'mistyped-field',
        'name-breaks-sagemaker-pattern',
        'name-too-long',
        'non-object-event',
        'null-optional-field',
        'null-required-field',
        'other-detail-type',
        'other-event',
        'other-kind-detail-type',
        'other-pipeline-job',
        'other-pipeline-tag',
        'other-source',
        'out-of-enum',
        'unfinished-job',
        'unicode-string',
      ]),
    );
  });
});
