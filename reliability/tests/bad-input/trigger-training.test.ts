/**
 * Bad input for trigger-training: at least 500 generated malformed or foreign ECR events through the wired
 * handler; each is refused as invalid (naming a field) or skipped, with no AWS call.
 */
import { CreateTrainingJobCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { ecrImageAction, otherWord, triggerTrainingCases } from '../../src/arbitraries.js';
import { recordFigures } from '../../src/figures.js';
import { check, lambdaContext, newTally, RUNS, seedFor, sentCommands } from './harness.js';

const FUNCTION = 'trigger-training';

// The stage environment (packages/trigger-training/tests/setup-env.ts), set before the handler is loaded.
Object.assign(process.env, {
  PIPELINE_NAME: 'mlpipe-dev',
  ECR_REPOSITORY_NAME: 'mlpipe-dev',
  SAGEMAKER_ROLE: 'arn:aws:iam::000000000000:role/mlpipe-dev-sagemaker',
  S3_TRAINING_DATA_URI: 's3://mlpipe-dev-000000000000-us-east-1/training-data',
  S3_OUTPUT_PATH: 's3://mlpipe-dev-000000000000-us-east-1/models',
});
delete process.env.AWS_ENDPOINT_URL;

// The client class is mocked, so the client the handler creates at module scope is too.
const sagemaker = mockClient(SageMakerClient);
sagemaker
  .on(CreateTrainingJobCommand)
  .resolves({ TrainingJobArn: 'arn:aws:sagemaker:us-east-1:000000000000:training-job/x' });
const { main } = await import('../../../packages/trigger-training/src/handler.js');

const tally = newTally();

describe(`Function: ${FUNCTION}, bad input`, () => {
  afterAll(() => {
    recordFigures(`bad-input-${FUNCTION}`, { perFunction: { [FUNCTION]: tally } });
  });

  it('starts a training job for a valid push, so the mocks do see writes', async () => {
    const event = fc.sample(ecrImageAction, { numRuns: 1, seed: seedFor(FUNCTION) })[0];
    sagemaker.resetHistory();

    const result = await main(event, lambdaContext(FUNCTION));

    expect(result).toMatchObject({ status: 'started' });
    expect(sentCommands([sagemaker])).toEqual(['CreateTrainingJob']);
  });

  it(`refuses or skips ${RUNS} malformed or foreign events without any AWS call or crash`, async () => {
    await fc.assert(
      fc.asyncProperty(triggerTrainingCases, (bad) => check(main, FUNCTION, [sagemaker], bad, tally)),
      { numRuns: RUNS, seed: seedFor(FUNCTION) },
    );

    expect(tally).toMatchObject({ writes: 0, crashes: 0 });
    expect(tally.tried).toBeGreaterThanOrEqual(500);
    expect(tally.invalid + tally.skipped).toBe(tally.tried);
  });

  it('skips an image action or result not known today with a reason that names it, without any AWS call', async () => {
    const unknown = fc.tuple(
      ecrImageAction,
      fc.constantFrom('action-type', 'result'),
      otherWord(['PUSH', 'DELETE', 'SUCCESS', 'FAILURE'], ['UPDATE_STORAGE_CLASS', 'IN_PROGRESS']).filter(
        Boolean,
      ),
    );

    await fc.assert(
      fc.asyncProperty(unknown, async ([base, field, value]) => {
        const event = structuredClone(base);
        event.detail[field] = value;
        sagemaker.resetHistory();

        const result = await main(event, lambdaContext(FUNCTION));

        expect(result).toEqual({ status: 'skipped', reason: expect.stringContaining(value) });
        expect(sentCommands([sagemaker])).toEqual([]);
      }),
      { numRuns: 200, seed: seedFor(FUNCTION) },
    );
  });

  it('tried every kind of defect', () => {
    expect(Object.keys(tally.kinds).sort()).toEqual(
      expect.arrayContaining([
        'array-event',
        'bad-datetime',
        'bad-digest',
        'delete-action',
        'detail-not-object',
        'empty-string',
        'deeply-nested',
        'extra-field',
        'failed-push',
        'foreign-detail',
        'huge-string',
        'json-string-event',
        'missing-field',
        'mistyped-field',
        'non-object-event',
        'null-optional-field',
        'null-required-field',
        'other-detail-type',
        'other-event',
        'other-repository',
        'other-source',
        'unicode-string',
        'unknown-action',
        'unknown-result',
      ]),
    );
  });
});
