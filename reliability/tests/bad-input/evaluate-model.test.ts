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
import { useStageEnv } from '@sagemaker-pipeline/testing/env';
import { mockClient } from 'aws-sdk-client-mock';
import { BUCKET, evaluateModelCases, IMAGE, trainingJobStateChange } from '../../src/arbitraries.js';
import { describeBadInput, SAGEMAKER_EVENT_DEFECTS } from './harness.js';

useStageEnv('evaluate-model');

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

describeBadInput({
  stage: 'evaluate-model',
  main,
  mocks: [sagemaker],
  control: {
    title: 'starts an evaluation for a completed pipeline training job, so the mocks do see writes',
    event: trainingJobStateChange,
    detail: { TrainingJobStatus: 'Completed' },
    result: { status: 'started' },
    commands: ['DescribeTrainingJob', 'CreateProcessingJob'],
  },
  cases: evaluateModelCases,
  kinds: [
    ...SAGEMAKER_EVENT_DEFECTS,
    'name-breaks-sagemaker-pattern',
    'name-too-long',
    'other-pipeline-job',
    'other-pipeline-tag',
    'unfinished-job',
  ],
});
