/**
 * The baseline of each stage function: a handler that only constructs the same AWS SDK clients and sends one
 * command, the first one the stage sends for its sample event, with the same input. Bundled with the same
 * esbuild settings and invoked with the same event against the same stack, it is what the SDK alone costs;
 * everything above it is the pipeline's own weight (middy, Powertools, valibot, the shared library, the stage).
 */

export interface FunctionSpec {
  /** Function name in serverless.yml. */
  name: string;
  /** The sample event of `events/` that makes the stage call AWS. */
  event: string;
  /** What the first AWS call is, for the report. */
  call: string;
  /** TypeScript source of the baseline handler, exporting `main`. */
  baseline: string;
}

const catchName = `catch (error) {
    return { error: (error as { name?: string }).name };
  }`;

export const FUNCTIONS: FunctionSpec[] = [
  {
    name: 'triggerTraining',
    event: 'ecr-push.json',
    call: 'SageMaker CreateTrainingJob',
    baseline: `
import { CreateTrainingJobCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
const sagemaker = new SageMakerClient({});
export const main = async (event: any) => {
  const detail = event.detail;
  try {
    const output = await sagemaker.send(new CreateTrainingJobCommand({
      TrainingJobName: process.env.PIPELINE_NAME + '-train-baseline',
      RoleArn: process.env.SAGEMAKER_ROLE,
      AlgorithmSpecification: {
        TrainingImage: event.account + '.dkr.ecr.' + event.region + '.amazonaws.com/' + detail['repository-name'] + '@' + detail['image-digest'],
        TrainingInputMode: 'File',
      },
      InputDataConfig: [{ ChannelName: 'train', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: process.env.S3_TRAINING_DATA_URI + '/', S3DataDistributionType: 'FullyReplicated' } } }],
      OutputDataConfig: { S3OutputPath: process.env.S3_OUTPUT_PATH },
      ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 30 },
      StoppingCondition: { MaxRuntimeInSeconds: 3600 },
    }));
    return { arn: output.TrainingJobArn };
  } ${catchName}
};`,
  },
  {
    name: 'evaluateModel',
    event: 'training-job-completed.json',
    call: 'SageMaker DescribeTrainingJob',
    baseline: `
import { DescribeTrainingJobCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SNSClient } from '@aws-sdk/client-sns';
const sagemaker = new SageMakerClient({});
// evaluate-model also holds an SNS client, for its alerts
export const sns = new SNSClient({});
export const main = async (event: any) => {
  try {
    const job = await sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: event.detail.TrainingJobName }));
    return { status: job.TrainingJobStatus };
  } ${catchName}
};`,
  },
  {
    name: 'registerModel',
    event: 'evaluation-completed.json',
    call: 'S3 GetObject (evaluation.json)',
    baseline: `
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SNSClient } from '@aws-sdk/client-sns';
const s3 = new S3Client({ forcePathStyle: true });
export const sagemaker = new SageMakerClient({});
// register-model also holds an SNS client, for its alerts
export const sns = new SNSClient({});
export const main = async (event: any) => {
  const output = event.detail.ProcessingOutputConfig.Outputs.find((o: any) => o.OutputName === 'evaluation');
  const [, bucket, prefix] = /^s3:\\/\\/([^/]+)\\/(.*?)\\/?$/.exec(output.S3Output.S3Uri) ?? [];
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: prefix + '/evaluation.json' }));
    return JSON.parse((await object.Body?.transformToString()) ?? 'null');
  } ${catchName}
};`,
  },
  {
    name: 'deployModel',
    event: 'model-package-approved.json',
    call: 'SageMaker ListModelPackages',
    baseline: `
import { ListModelPackagesCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SNSClient } from '@aws-sdk/client-sns';
const sagemaker = new SageMakerClient({});
// deploy-model also holds an SNS client, for its alerts
export const sns = new SNSClient({});
export const main = async (event: any) => {
  try {
    const listed = await sagemaker.send(new ListModelPackagesCommand({
      ModelPackageGroupName: event.detail.ModelPackageGroupName,
      ModelApprovalStatus: 'Approved',
      SortBy: 'CreationTime',
      SortOrder: 'Descending',
      MaxResults: 1,
    }));
    return { packages: listed.ModelPackageSummaryList?.length ?? 0 };
  } ${catchName}
};`,
  },
  {
    name: 'retrainModel',
    event: 'sqs-new-training-data.json',
    call: 'SageMaker ListTrainingJobs',
    // The function also constructs an S3 client, for its sweep's ListObjectsV2 of the training data.
    baseline: `
import { S3Client } from '@aws-sdk/client-s3';
import { ListTrainingJobsCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
export const s3 = new S3Client({ forcePathStyle: true });
const sagemaker = new SageMakerClient({});
export const main = async (event: any) => {
  try {
    const listed = await sagemaker.send(new ListTrainingJobsCommand({
      NameContains: process.env.PIPELINE_NAME + '-',
      SortBy: 'CreationTime',
      SortOrder: 'Descending',
      MaxResults: 100,
    }));
    return { jobs: listed.TrainingJobSummaries?.length ?? 0, records: event.Records.length };
  } ${catchName}
};`,
  },
];
