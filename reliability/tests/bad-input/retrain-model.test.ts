/**
 * Bad input for retrain-model: at least 500 generated SQS events through the wired handler. Batches of messages
 * that announce no new training data (s3:TestEvent, other buckets, keys outside the prefix, folder markers,
 * zero-byte objects, other event types) and of bodies that are no S3 message (not JSON, other JSON, malformed
 * records, keys S3 would have encoded) are skipped, with exactly the bad records in the partial batch
 * response; broken envelopes and other events are invalid. None makes an AWS call. The mocks answer as for an
 * idle pipeline with an image, so a record wrongly taken for new data would start a training job.
 */
import {
  CreateTrainingJobCommand,
  ListTrainingJobsCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { BUCKET, IMAGE, newDataBatch, retrainModelCases } from '../../src/arbitraries.js';
import { recordFigures } from '../../src/figures.js';
import { check, lambdaContext, newTally, RUNS, seedFor, sentCommands } from './harness.js';

const FUNCTION = 'retrain-model';

// The stage environment (packages/retrain-model/tests/setup-env.ts), set before the handler is loaded, with an
// image: without one, new data would fail before any write.
Object.assign(process.env, {
  PIPELINE_NAME: 'mlpipe-dev',
  SAGEMAKER_ROLE: 'arn:aws:iam::000000000000:role/mlpipe-dev-sagemaker',
  S3_TRAINING_DATA_URI: `s3://${BUCKET}/training-data`,
  S3_OUTPUT_PATH: `s3://${BUCKET}/models`,
  MODEL_IMAGE_URI: `${IMAGE}:latest`,
});
delete process.env.AWS_ENDPOINT_URL;

const sagemaker = mockClient(SageMakerClient);
sagemaker.on(ListTrainingJobsCommand).resolves({ TrainingJobSummaries: [] });
sagemaker
  .on(CreateTrainingJobCommand)
  .resolves({ TrainingJobArn: 'arn:aws:sagemaker:us-east-1:000000000000:training-job/x' });
const { main } = await import('../../../packages/retrain-model/src/handler.js');

const tally = newTally(true);

describe(`Function: ${FUNCTION}, bad input`, () => {
  afterAll(() => {
    recordFigures(`bad-input-${FUNCTION}`, { perFunction: { [FUNCTION]: tally } });
  });

  it('starts a training job for new data under the prefix, so the mocks do see writes', async () => {
    const event = fc.sample(newDataBatch, { numRuns: 1, seed: seedFor(FUNCTION) })[0];
    sagemaker.resetHistory();

    const result = await main(event, lambdaContext(FUNCTION));

    expect(result).toMatchObject({ status: 'started', objects: 1, batchItemFailures: [] });
    expect(sentCommands([sagemaker])).toEqual(['ListTrainingJobs', 'CreateTrainingJob']);
  });

  it(`skips or refuses ${RUNS} batches of foreign or bad messages without any AWS call or crash`, async () => {
    await fc.assert(
      fc.asyncProperty(retrainModelCases, (bad) => check(main, FUNCTION, [sagemaker], bad, tally)),
      { numRuns: RUNS, seed: seedFor(FUNCTION) },
    );

    expect(tally).toMatchObject({ writes: 0, crashes: 0 });
    expect(tally.tried).toBeGreaterThanOrEqual(500);
    expect(tally.invalid + tally.skipped).toBe(tally.tried);
  });

  it('tried every kind of defect', () => {
    expect(Object.keys(tally.kinds).sort()).toEqual(
      expect.arrayContaining([
        'body-not-json',
        'body-not-s3',
        'deeply-nested',
        'folder-marker',
        'huge-string',
        'malformed-s3-record',
        'missing-field',
        'mistyped-field',
        'no-records',
        'non-object-event',
        'not-a-creation',
        'other-bucket',
        'other-event',
        'out-of-enum',
        'outside-prefix',
        's3-test-event',
        'undecodable-key',
        'unicode-string',
        'zero-byte-object',
      ]),
    );
  });
});
