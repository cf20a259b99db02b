/**
 * Bad input for register-model: at least 500 generated malformed or foreign processing job events through the
 * wired handler; each is refused as invalid (naming a field) or skipped, with no AWS call. The mocks answer as
 * for a passing evaluation and no champion, so an event let through would register a model.
 */
import {
  GetObjectCommand,
  type GetObjectCommandOutput,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  CreateModelPackageCommand,
  ListModelPackagesCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { BUCKET, processingJobStateChange, registerModelCases } from '../../src/arbitraries.js';
import { recordFigures } from '../../src/figures.js';
import { check, lambdaContext, newTally, RUNS, seedFor, sentCommands } from './harness.js';

const FUNCTION = 'register-model';

// The stage environment (packages/register-model/tests/setup-env.ts), set before the handler is loaded.
Object.assign(process.env, {
  PIPELINE_NAME: 'mlpipe-dev',
  MODEL_REGISTRY_NAME: 'mlpipe-dev',
  S3_EVALUATION_RESULTS_URI: `s3://${BUCKET}/evaluations`,
});
delete process.env.AWS_ENDPOINT_URL;
delete process.env.MANUAL_APPROVAL;

const sagemaker = mockClient(SageMakerClient);
const s3 = mockClient(S3Client);
s3.on(GetObjectCommand).callsFake(() => ({
  Body: {
    transformToString: async () => '{"multiclass_classification_metrics": {"accuracy": {"value": 0.97}}}',
  } as unknown as GetObjectCommandOutput['Body'],
}));
s3.on(PutObjectCommand).resolves({});
sagemaker.on(ListModelPackagesCommand).resolves({ ModelPackageSummaryList: [] });
sagemaker
  .on(CreateModelPackageCommand)
  .resolves({ ModelPackageArn: 'arn:aws:sagemaker:us-east-1:000000000000:model-package/mlpipe-dev/1' });
const { main } = await import('../../../packages/register-model/src/handler.js');

const tally = newTally();

describe(`Function: ${FUNCTION}, bad input`, () => {
  afterAll(() => {
    recordFigures(`bad-input-${FUNCTION}`, { perFunction: { [FUNCTION]: tally } });
  });

  it('registers the model of a completed pipeline evaluation, so the mocks do see writes', async () => {
    const event = fc.sample(processingJobStateChange, { numRuns: 1, seed: seedFor(FUNCTION) })[0] as {
      detail: Record<string, unknown>;
    };
    event.detail.ProcessingJobStatus = 'Completed';
    sagemaker.resetHistory();
    s3.resetHistory();

    const result = await main(event, lambdaContext(FUNCTION));

    expect(result).toMatchObject({ status: 'registered' });
    // decision.json (none yet) and evaluation.json are read; the package and its recorded decision written.
    expect(sentCommands([sagemaker, s3]).sort()).toEqual([
      'CreateModelPackage',
      'GetObject',
      'GetObject',
      'ListModelPackages',
      'PutObject',
    ]);
  });

  it(`refuses or skips ${RUNS} malformed or foreign events without any AWS call or crash`, async () => {
    await fc.assert(
      fc.asyncProperty(registerModelCases, (bad) => check(main, FUNCTION, [sagemaker, s3], bad, tally)),
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
        'other-source',
        'out-of-enum',
        'unfinished-job',
        'unicode-string',
      ]),
    );
  });
});
