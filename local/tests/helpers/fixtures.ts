// Paths of the test fixtures and a few request builders shared by the SageMaker suites.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const fixtures = path.resolve(here, '..', 'fixtures');
export const echoImage = path.join(fixtures, 'images', 'echo-model');
export const brokenImage = path.join(fixtures, 'images', 'broken-model');
export const fixtureService = path.join(fixtures, 'service');

export const ROLE = 'arn:aws:iam::000000000000:role/SageMakerRole';

export function trainingRequest(name: string, image: string, overrides: Record<string, unknown> = {}) {
  return {
    TrainingJobName: name,
    AlgorithmSpecification: { TrainingImage: image, TrainingInputMode: 'File' as const },
    RoleArn: ROLE,
    InputDataConfig: [
      {
        ChannelName: 'train',
        DataSource: {
          S3DataSource: {
            S3DataType: 'S3Prefix' as const,
            S3Uri: 's3://ml-data/training/',
            S3DataDistributionType: 'FullyReplicated' as const,
          },
        },
      },
    ],
    OutputDataConfig: { S3OutputPath: 's3://ml-artifacts/models' },
    ResourceConfig: { InstanceType: 'ml.m5.large' as const, InstanceCount: 1, VolumeSizeInGB: 10 },
    StoppingCondition: { MaxRuntimeInSeconds: 60 },
    HyperParameters: { epochs: '3', learning_rate: '0.1' },
    ...overrides,
  };
}
