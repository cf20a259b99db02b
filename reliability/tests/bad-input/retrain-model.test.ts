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
import { useStageEnv } from '@sagemaker-pipeline/testing/env';
import { mockClient } from 'aws-sdk-client-mock';
import { IMAGE, newDataBatch, retrainModelCases } from '../../src/arbitraries.js';
import { describeBadInput } from './harness.js';

// The stage environment, with an image: without one, new data would fail before any write.
useStageEnv('retrain-model');
process.env.MODEL_IMAGE_URI = `${IMAGE}:latest`;

const sagemaker = mockClient(SageMakerClient);
sagemaker.on(ListTrainingJobsCommand).resolves({ TrainingJobSummaries: [] });
sagemaker
  .on(CreateTrainingJobCommand)
  .resolves({ TrainingJobArn: 'arn:aws:sagemaker:us-east-1:000000000000:training-job/x' });
const { main } = await import('../../../packages/retrain-model/src/handler.js');

describeBadInput({
  stage: 'retrain-model',
  main,
  mocks: [sagemaker],
  control: {
    title: 'starts a training job for new data under the prefix, so the mocks do see writes',
    event: newDataBatch,
    result: { status: 'started', objects: 1, batchItemFailures: [] },
    commands: ['ListTrainingJobs', 'CreateTrainingJob'],
  },
  cases: retrainModelCases,
  verb: 'skips or refuses',
  sqs: true,
  kinds: [
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
  ],
});
