/**
 * What the retrain tests share: the SageMaker mock, the pipeline's training jobs and the batches of new objects.
 */
import {
  CreateTrainingJobCommand,
  type CreateTrainingJobRequest,
  DescribeTrainingJobCommand,
  ListTrainingJobsCommand,
  SageMakerClient,
  type TrainingJobSummary,
} from '@aws-sdk/client-sagemaker';
import { loadConfig } from '@sagemaker-pipeline/shared/config';
import { mockClient } from 'aws-sdk-client-mock';
import { retrainModelEnv } from '../../src/config.js';
import 'aws-sdk-client-mock-jest';

export const sagemaker = mockClient(SageMakerClient);
export const config = loadConfig(retrainModelEnv);
export const deps = { sagemaker: new SageMakerClient({}), config };

export const DIGEST = 'sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd12345678';
export const IMAGE = `000000000000.dkr.ecr.us-east-1.amazonaws.com/mlpipe-dev@${DIGEST}`;
export const FIRST_JOB = 'mlpipe-dev-train-226ba9db57e7';
export const LIST_INPUT = {
  NameContains: 'mlpipe-dev-',
  SortBy: 'CreationTime',
  SortOrder: 'Descending',
  MaxResults: 100,
};

export const summary = (
  name: string,
  status: TrainingJobSummary['TrainingJobStatus'],
): TrainingJobSummary => ({
  TrainingJobName: name,
  TrainingJobArn: `arn:aws:sagemaker:us-east-1:000000000000:training-job/${name}`,
  TrainingJobStatus: status,
  CreationTime: new Date('2026-11-16T09:00:00Z'),
});

/** The pipeline has trained once (trigger-training) and nothing is running. */
export function pipelineTrainedOnce(): void {
  sagemaker.on(ListTrainingJobsCommand).resolves({ TrainingJobSummaries: [summary(FIRST_JOB, 'Completed')] });
  sagemaker
    .on(DescribeTrainingJobCommand, { TrainingJobName: FIRST_JOB })
    .resolves({ AlgorithmSpecification: { TrainingImage: IMAGE, TrainingInputMode: 'File' } });
  sagemaker.on(CreateTrainingJobCommand).callsFake((input: CreateTrainingJobRequest) => ({
    TrainingJobArn: `arn:aws:sagemaker:us-east-1:000000000000:training-job/${input.TrainingJobName}`,
  }));
}

export const objectKeys = (batch: number, count: number) =>
  Array.from({ length: count }, (_, i) => ({
    key: `training-data/upload-${batch}/part-${String(i).padStart(4, '0')}.csv`,
    size: 1000 + i,
    eventTime: new Date(Date.UTC(2026, 10, 16, 10, batch, 0, i)).toISOString(),
    sequencer: `0A1B2C3D4E5F6${String(batch * 1000 + i).padStart(5, '0')}`,
  }));

export const created = () =>
  sagemaker.commandCalls(CreateTrainingJobCommand).map((call) => call.args[0].input);
