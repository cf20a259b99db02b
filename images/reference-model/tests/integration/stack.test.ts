import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  CreateProcessingJobCommand,
  CreateTrainingJobCommand,
  type CreateTrainingJobRequest,
  DescribeEndpointCommand,
  DescribeProcessingJobCommand,
  DescribeTrainingJobCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, ModelError, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { readArchiveFiles, type Stack, startStack } from '@sagemaker-pipeline/local';
import { eventually } from '@sagemaker-pipeline/testing/wait';
import { splits } from '../../src/dataset.js';
import type { EvaluationReport } from '../../src/metrics.js';
import type { ModelArtifact } from '../../src/model.js';
import type { InvocationResponse } from '../../src/serve.js';
import { ACCURACY_FLOOR } from '../helpers/floor.js';

const imageFolder = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const ROLE = 'arn:aws:iam::000000000000:role/mlpipe-local-sagemaker';
const BUCKET = 'mlpipe-local-data';
const data = splits();

describe('Image: reference-model in the offline stack', () => {
  let stack: Stack;
  let s3: S3Client;
  let sagemaker: SageMakerClient;
  let runtime: SageMakerRuntimeClient;
  let imageUri: string;
  let modelData: string;

  const trainingJob = (name: string, prefix: string): CreateTrainingJobRequest => ({
    TrainingJobName: name,
    RoleArn: ROLE,
    AlgorithmSpecification: { TrainingImage: imageUri, TrainingInputMode: 'File' },
    HyperParameters: { n_estimators: '50', max_depth: '10', seed: '42' },
    InputDataConfig: [
      {
        ChannelName: 'train',
        DataSource: {
          S3DataSource: {
            S3DataType: 'S3Prefix',
            S3Uri: `s3://${BUCKET}/${prefix}/`,
            S3DataDistributionType: 'FullyReplicated',
          },
        },
      },
    ],
    OutputDataConfig: { S3OutputPath: `s3://${BUCKET}/models` },
    ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 10 },
    StoppingCondition: { MaxRuntimeInSeconds: 120 },
  });
  const trainingFinished = (name: string) =>
    eventually('the training job to finish', async () => {
      const job = await sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: name }));
      return ['Completed', 'Failed', 'Stopped'].includes(job.TrainingJobStatus ?? '') ? job : undefined;
    });
  const getText = async (key: string): Promise<string> =>
    (await s3
      .send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))
      .then((o) => o.Body?.transformToString())) ?? '';
  const invoke = async (body: string, contentType: string) => {
    const response = await runtime.send(
      new InvokeEndpointCommand({
        EndpointName: 'reference-model',
        Body: Buffer.from(body),
        ContentType: contentType,
        Accept: 'application/json',
      }),
    );
    return JSON.parse(Buffer.from(response.Body ?? new Uint8Array()).toString('utf8')) as InvocationResponse;
  };

  beforeAll(async () => {
    stack = await startStack({
      port: 0,
      temporary: true,
      services: [],
      logger: { info: () => undefined, warn: () => undefined },
      endpointStartTimeoutMs: 15_000,
    });
    s3 = stack.client(S3Client);
    sagemaker = stack.client(SageMakerClient);
    runtime = stack.client(SageMakerRuntimeClient);
    imageUri = (await stack.images.push(imageFolder, 'mlpipe-local', 'v1')).imageUri;
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: 'training-data/initial.csv', Body: data.train }),
    );
    await s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: 'evaluation-data/evaluation.csv', Body: data.evaluation }),
    );
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('trains a model and uploads model.tar.gz to <S3OutputPath>/<job>/output/', async () => {
    // Act
    await sagemaker.send(new CreateTrainingJobCommand(trainingJob('reference-train-1', 'training-data')));
    const job = await trainingFinished('reference-train-1');

    // Assess
    expect(job.FailureReason).toBeUndefined();
    expect(job.TrainingJobStatus).toBe('Completed');
    modelData = `s3://${BUCKET}/models/reference-train-1/output/model.tar.gz`;
    expect(job.ModelArtifacts?.S3ModelArtifacts).toBe(modelData);
    const archive = await s3.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: 'models/reference-train-1/output/model.tar.gz' }),
    );
    const files = await readArchiveFiles(
      await (archive.Body?.transformToByteArray() ?? Promise.resolve(new Uint8Array())),
    );
    expect(Object.keys(files)).toEqual(['model.json']);
    const model = JSON.parse(files['model.json'] ?? '{}') as ModelArtifact;
    expect(model).toMatchObject({
      trainingRows: data.counts.train,
      classLabels: ['Adelie', 'Chinstrap', 'Gentoo'],
      hyperparameters: { n_estimators: 50, max_depth: 10, seed: 42 },
    });
  });

  it('fails a training job on bad data with the reason from /opt/ml/output/failure', async () => {
    // Prepare
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'bad-data/part.csv',
        Body: 'species,x\nAdelie,1\nGentoo,big\n',
      }),
    );

    // Act
    await sagemaker.send(new CreateTrainingJobCommand(trainingJob('reference-train-bad', 'bad-data')));
    const job = await trainingFinished('reference-train-bad');

    // Assess
    expect(job).toMatchObject({
      TrainingJobStatus: 'Failed',
      FailureReason: 'AlgorithmError: part.csv, row 3: "big" in column x is not a number',
    });
  });

  it("evaluates the model in a processing job with ContainerArguments ['evaluate'] and writes evaluation.json", async () => {
    // Act
    await sagemaker.send(
      new CreateProcessingJobCommand({
        ProcessingJobName: 'reference-eval-1',
        RoleArn: ROLE,
        AppSpecification: { ImageUri: imageUri, ContainerArguments: ['evaluate'] },
        ProcessingResources: {
          ClusterConfig: { InstanceCount: 1, InstanceType: 'ml.m5.large', VolumeSizeInGB: 10 },
        },
        ProcessingInputs: [
          {
            InputName: 'model',
            S3Input: {
              S3Uri: modelData,
              LocalPath: '/opt/ml/processing/model',
              S3DataType: 'S3Prefix',
              S3InputMode: 'File',
            },
          },
          {
            InputName: 'evaluation',
            S3Input: {
              S3Uri: `s3://${BUCKET}/evaluation-data/`,
              LocalPath: '/opt/ml/processing/evaluation',
              S3DataType: 'S3Prefix',
              S3InputMode: 'File',
            },
          },
        ],
        ProcessingOutputConfig: {
          Outputs: [
            {
              OutputName: 'evaluation',
              S3Output: {
                S3Uri: `s3://${BUCKET}/evaluations/reference-eval-1`,
                LocalPath: '/opt/ml/processing/output',
                S3UploadMode: 'EndOfJob',
              },
            },
          ],
        },
        StoppingCondition: { MaxRuntimeInSeconds: 120 },
      }),
    );
    const job = await eventually('the evaluation job to finish', async () => {
      const described = await sagemaker.send(
        new DescribeProcessingJobCommand({ ProcessingJobName: 'reference-eval-1' }),
      );
      return ['Completed', 'Failed', 'Stopped'].includes(described.ProcessingJobStatus ?? '')
        ? described
        : undefined;
    });

    // Assess
    expect(job.FailureReason).toBeUndefined();
    expect(job.ProcessingJobStatus).toBe('Completed');
    const report = JSON.parse(
      await getText('evaluations/reference-eval-1/evaluation.json'),
    ) as EvaluationReport;
    const metrics = report.multiclass_classification_metrics;
    expect(metrics.accuracy.value).toBeGreaterThanOrEqual(ACCURACY_FLOOR);
    expect(metrics.weighted_f1.value).toBeGreaterThanOrEqual(ACCURACY_FLOOR);
    expect(Object.keys(metrics.confusion_matrix)).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
    expect(metrics.accuracy_best_constant_classifier.value).toBeLessThan(0.5);
  });

  it('serves the model on an endpoint that predicts held-out penguins from CSV and JSON', async () => {
    // Prepare
    await sagemaker.send(
      new CreateModelCommand({
        ModelName: 'reference-model-1',
        ExecutionRoleArn: ROLE,
        PrimaryContainer: { Image: imageUri, ModelDataUrl: modelData },
      }),
    );
    await sagemaker.send(
      new CreateEndpointConfigCommand({
        EndpointConfigName: 'reference-model-1',
        ProductionVariants: [
          {
            VariantName: 'AllTraffic',
            ModelName: 'reference-model-1',
            InitialInstanceCount: 1,
            InstanceType: 'ml.m5.large',
          },
        ],
      }),
    );

    // Act
    await sagemaker.send(
      new CreateEndpointCommand({ EndpointName: 'reference-model', EndpointConfigName: 'reference-model-1' }),
    );
    const endpoint = await eventually('the endpoint to settle', async () => {
      const described = await sagemaker.send(
        new DescribeEndpointCommand({ EndpointName: 'reference-model' }),
      );
      return described.EndpointStatus === 'Creating' ? undefined : described;
    });
    const fromCsv = await invoke(data.holdout.csv, 'text/csv');
    const fromJson = await invoke(JSON.stringify({ instances: data.holdout.features }), 'application/json');

    // Assess
    expect(endpoint.FailureReason).toBeUndefined();
    expect(endpoint.EndpointStatus).toBe('InService');
    const labels = fromCsv.predictions.map((prediction) => prediction.label);
    expect(labels).toHaveLength(data.counts.holdout);
    const correct = labels.filter((label, i) => label === data.holdout.labels[i]).length;
    expect(correct / labels.length).toBeGreaterThanOrEqual(ACCURACY_FLOOR);
    expect(fromJson.predictions).toEqual(fromCsv.predictions);
  });

  it('answers bad input with a ModelError carrying the 400 and its reason', async () => {
    // Act
    const error = await invoke('1,2,3', 'text/csv').catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(ModelError);
    expect(error).toMatchObject({ OriginalStatusCode: 400 });
    expect((error as ModelError).OriginalMessage).toContain('CSV row 1 has 3 values; expected 4');
  });

  it('retrains on every CSV file below the training prefix as new data batches accumulate', async () => {
    // Prepare
    for (const [i, csv] of data.newData.entries()) {
      await s3.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: `training-data/new/batch-${i + 1}.csv`, Body: csv }),
      );
    }

    // Act
    await sagemaker.send(new CreateTrainingJobCommand(trainingJob('reference-train-2', 'training-data')));
    const job = await trainingFinished('reference-train-2');

    // Assess
    expect(job.TrainingJobStatus).toBe('Completed');
    const archive = await s3.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: 'models/reference-train-2/output/model.tar.gz' }),
    );
    const files = await readArchiveFiles(
      await (archive.Body?.transformToByteArray() ?? Promise.resolve(new Uint8Array())),
    );
    const model = JSON.parse(files['model.json'] ?? '{}') as ModelArtifact;
    expect(model.trainingRows).toBe(data.counts.train + data.counts.newData.reduce((a, b) => a + b, 0));
    expect(model.trainingFiles).toBe(1 + data.newData.length);
  });
});
