import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  CreateTrainingJobCommand,
  DeleteEndpointCommand,
  DescribeEndpointCommand,
  DescribeTrainingJobCommand,
  ListEndpointsCommand,
  UpdateEndpointCommand,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, ModelError } from '@aws-sdk/client-sagemaker-runtime';
import { INVOKE_CLIENTS } from '../../src/sagemaker/upstream.js';
import { brokenImage, echoImage, ROLE, trainingRequest } from '../helpers/fixtures.js';
import { endpointSettled, eventually, startTestStack, type TestStack } from '../helpers/stack.js';

/** The statuses of the Endpoint State Change events the stack emitted for endpoint `name`, in order. */
const endpointStatuses = ({ stack }: TestStack, name: string) =>
  stack.bus.recorded
    .filter(
      (record) =>
        record.event['detail-type'] === 'SageMaker Endpoint State Change' &&
        record.event.detail.EndpointName === name,
    )
    .map((record) => record.event.detail.EndpointStatus);

describe('SageMaker: endpoints served by local processes', () => {
  let t: TestStack;
  let echoUri: string;
  let brokenUri: string;
  const modelData = 's3://ml-artifacts/models/train-for-serving/output/model.tar.gz';

  const settled = (name: string) => endpointSettled(t, name);

  const createModel = async (
    name: string,
    image: string,
    environment: Record<string, string> = {},
  ): Promise<void> => {
    await t.sagemaker.send(
      new CreateModelCommand({
        ModelName: name,
        ExecutionRoleArn: ROLE,
        PrimaryContainer: { Image: image, ModelDataUrl: modelData, Environment: environment },
      }),
    );
    await t.sagemaker.send(
      new CreateEndpointConfigCommand({
        EndpointConfigName: `${name}-config`,
        ProductionVariants: [
          {
            VariantName: 'AllTraffic',
            ModelName: name,
            InitialInstanceCount: 1,
            InstanceType: 'ml.m5.large',
          },
        ],
      }),
    );
  };

  beforeAll(async () => {
    t = await startTestStack({ endpointStartTimeoutMs: 10_000 });
    echoUri = (await t.stack.images.push(echoImage, 'echo-model')).imageUri;
    brokenUri = (await t.stack.images.push(brokenImage, 'broken-model')).imageUri;
    await t.s3.send(new CreateBucketCommand({ Bucket: 'ml-data' }));
    await t.s3.send(new CreateBucketCommand({ Bucket: 'ml-artifacts' }));
    await t.s3.send(
      new PutObjectCommand({ Bucket: 'ml-data', Key: 'training/part-1.csv', Body: 'a,1\nb,2\n' }),
    );
    await t.sagemaker.send(new CreateTrainingJobCommand(trainingRequest('train-for-serving', echoUri)));
    await eventually('the training job to complete', async () => {
      const job = await t.sagemaker.send(
        new DescribeTrainingJobCommand({ TrainingJobName: 'train-for-serving' }),
      );
      return job.TrainingJobStatus === 'Completed' ? job : undefined;
    });
    await createModel('echo-v1', echoUri, { MODEL_VERSION: '1' });
    await createModel('echo-v2', echoUri, { MODEL_VERSION: '2' });
    await createModel('echo-crashing', echoUri, { FAIL_TO_START: '1' });
    await createModel('broken-v1', brokenUri);
  });
  afterAll(() => t.stop());

  it('creates an endpoint that becomes InService and serves InvokeEndpoint', async () => {
    // Act
    const created = await t.sagemaker.send(
      new CreateEndpointCommand({ EndpointName: 'echo', EndpointConfigName: 'echo-v1-config' }),
    );
    const endpoint = await settled('echo');
    const response = await t.runtime.send(
      new InvokeEndpointCommand({
        EndpointName: 'echo',
        Body: Buffer.from('1,2,3'),
        ContentType: 'text/csv',
        Accept: 'application/json',
      }),
    );

    // Assess
    expect(created.EndpointArn).toBe('arn:aws:sagemaker:us-east-1:000000000000:endpoint/echo');
    expect(endpoint).toMatchObject({ EndpointStatus: 'InService', EndpointConfigName: 'echo-v1-config' });
    expect(endpoint.ProductionVariants?.[0]?.DeployedImages?.[0]?.SpecifiedImage).toBe(echoUri);
    expect(response.ContentType).toBe('application/json');
    expect(response.InvokedProductionVariant).toBe('AllTraffic');
    expect(JSON.parse(Buffer.from(response.Body ?? new Uint8Array()).toString('utf8'))).toEqual({
      input: '1,2,3',
      contentType: 'text/csv',
      rows: { train: 2 },
      version: '1',
    });
  });

  it('emits Endpoint State Change events with CREATING and IN_SERVICE', () => {
    const statuses = endpointStatuses(t, 'echo');
    expect(statuses.slice(0, 2)).toEqual(['CREATING', 'IN_SERVICE']);
  });

  it('answers a model error with ModelError and the original status', async () => {
    const error = await t.runtime
      .send(
        new InvokeEndpointCommand({
          EndpointName: 'echo',
          Body: Buffer.from('bad input'),
          ContentType: 'text/csv',
        }),
      )
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ModelError);
    expect(error).toMatchObject({
      OriginalStatusCode: 400,
      OriginalMessage: 'cannot parse input',
      $metadata: { httpStatusCode: 424 },
    });
  });

  it.each(INVOKE_CLIENTS)('answers the same through the %s client to the container', async (kind) => {
    t.stack.sagemaker.context.invokeClient = kind;
    try {
      const ok = await t.runtime.send(
        new InvokeEndpointCommand({
          EndpointName: 'echo',
          Body: Buffer.from('7,8'),
          ContentType: 'text/csv',
        }),
      );
      const refused = await t.runtime
        .send(new InvokeEndpointCommand({ EndpointName: 'echo', Body: Buffer.from('bad input') }))
        .catch((error: unknown) => error);

      expect(JSON.parse(Buffer.from(ok.Body ?? new Uint8Array()).toString('utf8'))).toMatchObject({
        input: '7,8',
        contentType: 'text/csv',
      });
      expect(refused).toMatchObject({ name: 'ModelError', OriginalStatusCode: 400 });
      expect(
        t.stack.sagemaker.endpoints.get('echo')?.live?.variants[0]?.clients[kind]?.sockets,
      ).toBeGreaterThan(0);
    } finally {
      t.stack.sagemaker.context.invokeClient = 'built-in';
    }
  });

  it('answers an unknown endpoint with ValidationError', async () => {
    await expect(
      t.runtime.send(new InvokeEndpointCommand({ EndpointName: 'nope', Body: Buffer.from('x') })),
    ).rejects.toMatchObject({
      name: 'ValidationError',
      message: 'Endpoint nope of account 000000000000 not found.',
    });
  });

  it('updates blue/green to a new config', async () => {
    // Arrange: the old deployment has kept-alive sockets to its container from the invocations above
    const old = t.stack.sagemaker.endpoints.get('echo')?.live?.variants[0]?.clients['built-in'];
    expect(old?.sockets).toBeGreaterThan(0);

    // Act
    await t.sagemaker.send(
      new UpdateEndpointCommand({ EndpointName: 'echo', EndpointConfigName: 'echo-v2-config' }),
    );
    const endpoint = await settled('echo');
    const response = await t.runtime.send(
      new InvokeEndpointCommand({ EndpointName: 'echo', Body: Buffer.from('x') }),
    );

    // Assess
    expect(endpoint).toMatchObject({ EndpointStatus: 'InService', EndpointConfigName: 'echo-v2-config' });
    expect(endpoint.FailureReason).toBeUndefined();
    expect(JSON.parse(Buffer.from(response.Body ?? new Uint8Array()).toString('utf8')).version).toBe('2');
    // the old deployment's sockets are closed with it: nothing holds its stopped container or the stack open
    await eventually('the old connection to close', async () => (old?.sockets === 0 ? true : undefined));
  });

  it('rolls back to the old config when the new one fails to start', async () => {
    // Act
    await t.sagemaker.send(
      new UpdateEndpointCommand({ EndpointName: 'echo', EndpointConfigName: 'echo-crashing-config' }),
    );
    const during = await t.sagemaker.send(new DescribeEndpointCommand({ EndpointName: 'echo' }));
    const endpoint = await settled('echo');
    const response = await t.runtime.send(
      new InvokeEndpointCommand({ EndpointName: 'echo', Body: Buffer.from('x') }),
    );

    // Assess
    expect(during.EndpointStatus).toBe('Updating');
    expect(endpoint).toMatchObject({ EndpointStatus: 'InService', EndpointConfigName: 'echo-v2-config' });
    expect(endpoint.FailureReason).toMatch(/did not pass the ping health check/);
    expect(JSON.parse(Buffer.from(response.Body ?? new Uint8Array()).toString('utf8')).version).toBe('2');
    const statuses = endpointStatuses(t, 'echo');
    expect(statuses.slice(-2)).toEqual(['UPDATING', 'IN_SERVICE']);
  });

  it('rejects an update while the endpoint is not InService', async () => {
    // Prepare
    await t.sagemaker.send(
      new CreateEndpointCommand({ EndpointName: 'broken', EndpointConfigName: 'broken-v1-config' }),
    );

    // Act
    const update = t.sagemaker.send(
      new UpdateEndpointCommand({ EndpointName: 'broken', EndpointConfigName: 'echo-v1-config' }),
    );

    // Assess
    await expect(update).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('Cannot update in-progress endpoint'),
    });
    const endpoint = await settled('broken');
    expect(endpoint.EndpointStatus).toBe('Failed');
    expect(endpoint.FailureReason).toMatch(/AllTraffic did not pass the ping health check/);
  });

  it('lists endpoints by status and deletes one', async () => {
    // Act
    const inService = await t.sagemaker.send(new ListEndpointsCommand({ StatusEquals: 'InService' }));
    await t.sagemaker.send(new DeleteEndpointCommand({ EndpointName: 'broken' }));
    const all = await t.sagemaker.send(new ListEndpointsCommand({}));

    // Assess
    expect(inService.Endpoints?.map((endpoint) => endpoint.EndpointName)).toEqual(['echo']);
    expect(all.Endpoints?.map((endpoint) => endpoint.EndpointName)).toEqual(['echo']);
    await expect(
      t.sagemaker.send(new DescribeEndpointCommand({ EndpointName: 'broken' })),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: 'Could not find endpoint "arn:aws:sagemaker:us-east-1:000000000000:endpoint/broken".',
    });
  });

  it('rejects an endpoint for an unknown config and a duplicate endpoint name', async () => {
    await expect(
      t.sagemaker.send(
        new CreateEndpointCommand({ EndpointName: 'other', EndpointConfigName: 'missing-config' }),
      ),
    ).rejects.toMatchObject({
      name: 'ValidationException',
    });
    await expect(
      t.sagemaker.send(
        new CreateEndpointCommand({ EndpointName: 'echo', EndpointConfigName: 'echo-v1-config' }),
      ),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('Cannot create already existing endpoint'),
    });
  });
});
