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
import { useStageEnv } from '@sagemaker-pipeline/testing/env';
import { mockClient } from 'aws-sdk-client-mock';
import { processingJobStateChange, registerModelCases } from '../../src/arbitraries.js';
import { describeBadInput, SAGEMAKER_EVENT_DEFECTS } from './harness.js';

useStageEnv('register-model');
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

describeBadInput({
  stage: 'register-model',
  main,
  mocks: [sagemaker, s3],
  control: {
    title: 'registers the model of a completed pipeline evaluation, so the mocks do see writes',
    event: processingJobStateChange,
    detail: { ProcessingJobStatus: 'Completed' },
    result: { status: 'registered' },
    // decision.json (none yet) and evaluation.json are read; the package and its recorded decision written.
    commands: ['CreateModelPackage', 'GetObject', 'GetObject', 'ListModelPackages', 'PutObject'],
    sorted: true,
  },
  cases: registerModelCases,
  kinds: [
    ...SAGEMAKER_EVENT_DEFECTS,
    'name-breaks-sagemaker-pattern',
    'name-too-long',
    'other-pipeline-job',
    'unfinished-job',
  ],
});
