/**
 * Bad input for trigger-training: at least 500 generated malformed or foreign ECR events through the wired
 * handler; each is refused as invalid (naming a field) or skipped, with no AWS call.
 */
import { CreateTrainingJobCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { useStageEnv } from '@sagemaker-pipeline/testing/env';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { ecrImageAction, otherWord, triggerTrainingCases } from '../../src/arbitraries.js';
import { describeBadInput, EVENT_DEFECTS, lambdaContext, seedFor, sentCommands } from './harness.js';

const STAGE = 'trigger-training';

useStageEnv(STAGE);

// The client class is mocked, so the client the handler creates at module scope is too.
const sagemaker = mockClient(SageMakerClient);
sagemaker
  .on(CreateTrainingJobCommand)
  .resolves({ TrainingJobArn: 'arn:aws:sagemaker:us-east-1:000000000000:training-job/x' });
const { main } = await import('../../../packages/trigger-training/src/handler.js');

describeBadInput({
  stage: STAGE,
  main,
  mocks: [sagemaker],
  control: {
    title: 'starts a training job for a valid push, so the mocks do see writes',
    event: ecrImageAction,
    result: { status: 'started' },
    commands: ['CreateTrainingJob'],
  },
  cases: triggerTrainingCases,
  kinds: [
    ...EVENT_DEFECTS,
    'bad-digest',
    'delete-action',
    'failed-push',
    'other-repository',
    'unknown-action',
    'unknown-result',
  ],
});

describe(`Function: ${STAGE}, actions and results not known today`, () => {
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

        const result = await main(event, lambdaContext(STAGE));

        expect(result).toEqual({ status: 'skipped', reason: expect.stringContaining(value) });
        expect(sentCommands([sagemaker])).toEqual([]);
      }),
      { numRuns: 200, seed: seedFor(STAGE) },
    );
  });
});
