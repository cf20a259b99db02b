// SageMaker, for every operation the stages, the CLI and the scenario call.
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  CreateModelPackageCommand,
  CreateModelPackageGroupCommand,
  CreateProcessingJobCommand,
  CreateTrainingJobCommand,
  DeleteEndpointCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelPackageCommand,
  DescribeProcessingJobCommand,
  DescribeTrainingJobCommand,
  ListModelPackagesCommand,
  ListProcessingJobsCommand,
  ListTagsCommand,
  ListTrainingJobsCommand,
  UpdateEndpointCommand,
  UpdateModelPackageCommand,
} from '@aws-sdk/client-sagemaker';
import { eventually } from '@sagemaker-pipeline/testing/wait';
import { echoImage, ROLE, trainingRequest } from '../helpers/fixtures.js';
import { endpointSettled, trainingFinished } from '../helpers/stack.js';
import { type Clients, casesOf, refused } from './case.js';

const ARN = 'arn:aws:sagemaker:us-east-1:000000000000';
const TRAINED = 'conformance-train';
const MODEL = 'conformance-model';
/** The endpoint in service that prepareSageMaker makes, for the runtime's cases. */
export const ENDPOINT = 'conformance-endpoint';
const GROUP = 'conformance-models';
let imageUri = '';

const described = (c: Clients, TrainingJobName: string) =>
  c.sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName }));

const createModel = (c: Clients, ModelName: string, Image: string) =>
  c.sagemaker.send(
    new CreateModelCommand({
      ModelName,
      ExecutionRoleArn: ROLE,
      PrimaryContainer: { Image, ModelDataUrl: `s3://ml-artifacts/models/${TRAINED}/output/model.tar.gz` },
    }),
  );

const createConfig = (c: Clients, EndpointConfigName: string, ModelName: string) =>
  c.sagemaker.send(
    new CreateEndpointConfigCommand({
      EndpointConfigName,
      ProductionVariants: [
        { VariantName: 'AllTraffic', ModelName, InitialInstanceCount: 1, InstanceType: 'ml.m5.large' },
      ],
    }),
  );

const processingRequest = (ProcessingJobName: string) => ({
  ProcessingJobName,
  RoleArn: ROLE,
  AppSpecification: { ImageUri: imageUri, ContainerArguments: ['evaluate'] },
  ProcessingInputs: [
    {
      InputName: 'model',
      S3Input: {
        S3Uri: `s3://ml-artifacts/models/${TRAINED}/output/model.tar.gz`,
        LocalPath: '/opt/ml/processing/input/model',
        S3DataType: 'S3Prefix' as const,
        S3InputMode: 'File' as const,
      },
    },
  ],
  ProcessingResources: {
    ClusterConfig: { InstanceCount: 1, InstanceType: 'ml.m5.large' as const, VolumeSizeInGB: 10 },
  },
  StoppingCondition: { MaxRuntimeInSeconds: 60 },
});

const inference = () => ({
  Containers: [{ Image: imageUri, ModelDataUrl: `s3://ml-artifacts/models/${TRAINED}/output/model.tar.gz` }],
  SupportedContentTypes: ['text/csv'],
  SupportedResponseMIMETypes: ['application/json'],
});

/** A trained model served by an endpoint in service, and a model package group. */
export async function prepareSageMaker(c: Clients): Promise<void> {
  imageUri = (await c.stack.images.push(echoImage, 'echo-model')).imageUri;
  for (const Bucket of ['ml-data', 'ml-artifacts']) await c.s3.send(new CreateBucketCommand({ Bucket }));
  await c.s3.send(
    new PutObjectCommand({ Bucket: 'ml-data', Key: 'training/part-1.csv', Body: 'a,1\nb,2\n' }),
  );
  await c.sagemaker.send(new CreateTrainingJobCommand(trainingRequest(TRAINED, imageUri)));
  await trainingFinished(c, TRAINED);
  await createModel(c, MODEL, imageUri);
  await createConfig(c, `${MODEL}-config`, MODEL);
  await c.sagemaker.send(
    new CreateEndpointCommand({
      EndpointName: ENDPOINT,
      EndpointConfigName: `${MODEL}-config`,
      Tags: [{ Key: 'pipeline', Value: 'conformance' }],
    }),
  );
  await endpointSettled(c, ENDPOINT);
  await c.sagemaker.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: GROUP }));
}

export const sageMakerCases = casesOf('SageMaker', [
  [
    'CreateTrainingJob',
    'the job ARN; it runs to Completed with its model under the output path',
    async (c) => {
      const created = await c.sagemaker.send(
        new CreateTrainingJobCommand(trainingRequest('conformance-t2', imageUri)),
      );
      const job = await trainingFinished(c, 'conformance-t2');
      expect(created.TrainingJobArn).toBe(`${ARN}:training-job/conformance-t2`);
      expect(job).toMatchObject({
        TrainingJobStatus: 'Completed',
        ModelArtifacts: { S3ModelArtifacts: 's3://ml-artifacts/models/conformance-t2/output/model.tar.gz' },
      });
    },
  ],
  [
    'CreateTrainingJob',
    'ResourceInUse (400) for a name already used',
    (c) =>
      refused(
        c.sagemaker.send(new CreateTrainingJobCommand(trainingRequest(TRAINED, imageUri))),
        'ResourceInUse',
        400,
      ),
  ],
  [
    'CreateTrainingJob',
    'ValidationException (400) for a name over 63 characters',
    (c) =>
      refused(
        c.sagemaker.send(new CreateTrainingJobCommand(trainingRequest('x'.repeat(64), imageUri))),
        'ValidationException',
        400,
      ),
  ],
  [
    'DescribeTrainingJob',
    'status, secondary status transitions and times of a finished job',
    async (c) => {
      const job = await described(c, TRAINED);
      expect(job.SecondaryStatusTransitions?.map((transition) => transition.Status)).toEqual([
        'Starting',
        'Downloading',
        'Training',
        'Uploading',
        'Completed',
      ]);
      expect(job.TrainingEndTime?.getTime()).toBeGreaterThanOrEqual(
        job.TrainingStartTime?.getTime() ?? Infinity,
      );
    },
  ],
  [
    'DescribeTrainingJob',
    'ValidationException (400) "Requested resource not found" for an unknown job',
    (c) => refused(described(c, 'conformance-nowhere'), 'ValidationException', 400),
  ],
  [
    'ListTrainingJobs',
    'the jobs whose name contains NameContains, case-insensitively',
    async (c) => {
      const listed = await c.sagemaker.send(
        new ListTrainingJobsCommand({ NameContains: 'CONFORMANCE-TRAIN' }),
      );
      expect(listed.TrainingJobSummaries?.map((job) => job.TrainingJobName)).toEqual([TRAINED]);
    },
  ],
  [
    'ListTrainingJobs',
    'ValidationException (400) for a StatusEquals that is no status',
    (c) =>
      refused(
        c.sagemaker.send(new ListTrainingJobsCommand({ StatusEquals: 'Bogus' as 'Completed' })),
        'ValidationException',
        400,
      ),
  ],
  [
    'CreateProcessingJob',
    'the job ARN; it runs to Completed',
    async (c) => {
      const created = await c.sagemaker.send(
        new CreateProcessingJobCommand(processingRequest('conformance-p1')),
      );
      const job = await eventually('the processing job to finish', async () => {
        const found = await c.sagemaker.send(
          new DescribeProcessingJobCommand({ ProcessingJobName: 'conformance-p1' }),
        );
        return ['Completed', 'Failed'].includes(found.ProcessingJobStatus ?? '') ? found : undefined;
      });
      expect(created.ProcessingJobArn).toBe(`${ARN}:processing-job/conformance-p1`);
      expect(job.ProcessingJobStatus).toBe('Completed');
    },
  ],
  [
    'DescribeProcessingJob',
    'ValidationException (400) for an unknown job',
    (c) =>
      refused(
        c.sagemaker.send(new DescribeProcessingJobCommand({ ProcessingJobName: 'conformance-nowhere' })),
        'ValidationException',
        400,
      ),
  ],
  [
    'ListProcessingJobs',
    'summaries oldest first by default (SortOrder Ascending)',
    async (c) => {
      for (const name of ['conformance-p2', 'conformance-p3']) {
        await c.sagemaker.send(new CreateProcessingJobCommand(processingRequest(name)));
      }
      const listed = await c.sagemaker.send(new ListProcessingJobsCommand({ NameContains: 'conformance-p' }));
      const names = listed.ProcessingJobSummaries?.map((job) => job.ProcessingJobName) ?? [];
      expect(names.indexOf('conformance-p2')).toBeLessThan(names.indexOf('conformance-p3'));
      expect(names.indexOf('conformance-p2')).toBeGreaterThan(-1);
    },
  ],
  [
    'CreateModelPackageGroup',
    'ValidationException (400) for a group that exists',
    (c) =>
      refused(
        c.sagemaker.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: GROUP })),
        'ValidationException',
        400,
      ),
  ],
  [
    'CreateModelPackage',
    'version n + 1 of the group; the same ClientToken answers the same version',
    async (c) => {
      const request = {
        ModelPackageGroupName: GROUP,
        InferenceSpecification: inference(),
        ClientToken: 'eval-1',
      };
      const first = await c.sagemaker.send(new CreateModelPackageCommand(request));
      const retried = await c.sagemaker.send(new CreateModelPackageCommand(request));
      expect(first.ModelPackageArn).toMatch(new RegExp(`^${ARN}:model-package/${GROUP}/\\d+$`));
      expect(retried.ModelPackageArn).toBe(first.ModelPackageArn);
    },
  ],
  [
    'DescribeModelPackage',
    'its group, version and approval status (PendingManualApproval by default)',
    async (c) => {
      const { ModelPackageArn } = await c.sagemaker.send(
        new CreateModelPackageCommand({ ModelPackageGroupName: GROUP, InferenceSpecification: inference() }),
      );
      const found = await c.sagemaker.send(
        new DescribeModelPackageCommand({ ModelPackageName: ModelPackageArn }),
      );
      expect(found).toMatchObject({
        ModelPackageGroupName: GROUP,
        ModelApprovalStatus: 'PendingManualApproval',
        ModelPackageVersion: Number(ModelPackageArn?.split('/').pop()),
      });
    },
  ],
  [
    'DescribeModelPackage',
    'ValidationException (400) for an unknown package',
    (c) =>
      refused(
        c.sagemaker.send(
          new DescribeModelPackageCommand({ ModelPackageName: `${ARN}:model-package/${GROUP}/999` }),
        ),
        'ValidationException',
        400,
      ),
  ],
  [
    'ListModelPackages',
    "the group's versions, newest first when asked",
    async (c) => {
      const listed = await c.sagemaker.send(
        new ListModelPackagesCommand({
          ModelPackageGroupName: GROUP,
          SortBy: 'CreationTime',
          SortOrder: 'Descending',
        }),
      );
      const versions = listed.ModelPackageSummaryList?.map((entry) => entry.ModelPackageVersion ?? 0) ?? [];
      expect(versions.length).toBeGreaterThan(0);
      expect(versions).toEqual([...versions].sort((a, b) => b - a));
    },
  ],
  [
    'UpdateModelPackage',
    'the approval status changed, as Describe then tells',
    async (c) => {
      const { ModelPackageArn } = await c.sagemaker.send(
        new CreateModelPackageCommand({ ModelPackageGroupName: GROUP, InferenceSpecification: inference() }),
      );
      const updated = await c.sagemaker.send(
        new UpdateModelPackageCommand({ ModelPackageArn, ModelApprovalStatus: 'Approved' }),
      );
      const found = await c.sagemaker.send(
        new DescribeModelPackageCommand({ ModelPackageName: ModelPackageArn }),
      );
      expect(updated.ModelPackageArn).toBe(ModelPackageArn);
      expect(found.ModelApprovalStatus).toBe('Approved');
    },
  ],
  [
    'CreateModel',
    'the model ARN; ValidationException (400) for a model that exists',
    async (c) => {
      const created = await createModel(c, 'conformance-model-2', imageUri);
      expect(created.ModelArn).toBe(`${ARN}:model/conformance-model-2`);
      await refused(createModel(c, MODEL, imageUri), 'ValidationException', 400);
    },
  ],
  [
    'CreateEndpointConfig',
    'the config ARN',
    async (c) => {
      const created = await createConfig(c, 'conformance-config-2', MODEL);
      expect(created.EndpointConfigArn).toBe(`${ARN}:endpoint-config/conformance-config-2`);
    },
  ],
  [
    'DescribeEndpointConfig',
    'its production variants; ValidationException (400) for an unknown config',
    async (c) => {
      const found = await c.sagemaker.send(
        new DescribeEndpointConfigCommand({ EndpointConfigName: `${MODEL}-config` }),
      );
      expect(found.ProductionVariants?.map((variant) => variant.ModelName)).toEqual([MODEL]);
      await refused(
        c.sagemaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName: 'conformance-nowhere' })),
        'ValidationException',
        400,
      );
    },
  ],
  [
    'CreateEndpoint',
    'Creating, then InService with the image it resolved',
    async (c) => {
      const created = await c.sagemaker.send(
        new CreateEndpointCommand({
          EndpointName: 'conformance-ep-2',
          EndpointConfigName: `${MODEL}-config`,
        }),
      );
      const endpoint = await endpointSettled(c, 'conformance-ep-2');
      expect(created.EndpointArn).toBe(`${ARN}:endpoint/conformance-ep-2`);
      expect(endpoint.EndpointStatus).toBe('InService');
      expect(endpoint.ProductionVariants?.[0]?.DeployedImages?.[0]?.SpecifiedImage).toBe(imageUri);
    },
  ],
  [
    'DescribeEndpoint',
    'its status, config and the image each variant runs, as specified',
    async (c) => {
      const endpoint = await c.sagemaker.send(new DescribeEndpointCommand({ EndpointName: ENDPOINT }));
      expect(endpoint).toMatchObject({ EndpointName: ENDPOINT, EndpointArn: `${ARN}:endpoint/${ENDPOINT}` });
      expect(endpoint.ProductionVariants?.[0]?.DeployedImages?.[0]?.ResolvedImage).toMatch(
        /@sha256:[0-9a-f]{64}$/,
      );
    },
  ],
  [
    'DescribeEndpoint',
    'ValidationException (400) "Could not find endpoint" for an unknown endpoint',
    async (c) => {
      await expect(
        c.sagemaker.send(new DescribeEndpointCommand({ EndpointName: 'conformance-nowhere' })),
      ).rejects.toMatchObject({
        name: 'ValidationException',
        message: expect.stringContaining('Could not find endpoint'),
      });
    },
  ],
  [
    'UpdateEndpoint',
    'Updating, then InService on the new config',
    async (c) => {
      await createConfig(c, `${MODEL}-config-b`, MODEL);
      await c.sagemaker.send(
        new UpdateEndpointCommand({ EndpointName: ENDPOINT, EndpointConfigName: `${MODEL}-config-b` }),
      );
      const endpoint = await endpointSettled(c, ENDPOINT);
      expect(endpoint).toMatchObject({
        EndpointStatus: 'InService',
        EndpointConfigName: `${MODEL}-config-b`,
      });
    },
  ],
  [
    'UpdateEndpoint',
    'ValidationException (400) for an unknown endpoint',
    (c) =>
      refused(
        c.sagemaker.send(
          new UpdateEndpointCommand({
            EndpointName: 'conformance-nowhere',
            EndpointConfigName: `${MODEL}-config`,
          }),
        ),
        'ValidationException',
        400,
      ),
  ],
  [
    'DeleteEndpoint',
    'Deleting, then gone: Describe answers ValidationException',
    async (c) => {
      await c.sagemaker.send(
        new CreateEndpointCommand({
          EndpointName: 'conformance-ep-3',
          EndpointConfigName: `${MODEL}-config`,
        }),
      );
      await endpointSettled(c, 'conformance-ep-3');
      const deleted = await c.sagemaker.send(new DeleteEndpointCommand({ EndpointName: 'conformance-ep-3' }));
      expect(deleted.$metadata.httpStatusCode).toBe(200);
      await eventually('the endpoint to be gone', () =>
        c.sagemaker.send(new DescribeEndpointCommand({ EndpointName: 'conformance-ep-3' })).then(
          () => undefined,
          (error: { name?: string }) => error.name === 'ValidationException' || undefined,
        ),
      );
    },
  ],
  [
    'DeleteEndpoint',
    'ValidationException (400) for an unknown endpoint',
    (c) =>
      refused(
        c.sagemaker.send(new DeleteEndpointCommand({ EndpointName: 'conformance-nowhere' })),
        'ValidationException',
        400,
      ),
  ],
  [
    'ListTags',
    'the tags a resource was created with; ValidationException (400) for an unknown ARN',
    async (c) => {
      const tags = await c.sagemaker.send(
        new ListTagsCommand({ ResourceArn: `${ARN}:endpoint/${ENDPOINT}` }),
      );
      expect(tags.Tags).toEqual([{ Key: 'pipeline', Value: 'conformance' }]);
      await refused(
        c.sagemaker.send(new ListTagsCommand({ ResourceArn: `${ARN}:endpoint/conformance-nowhere` })),
        'ValidationException',
        400,
      );
    },
  ],
]);
