// Injected faults seen through real SDK clients: the error shapes AWS answers, and what the SDK does with them.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  CreateTrainingJobCommand,
  DescribeEndpointCommand,
  ListEndpointsCommand,
  ListTrainingJobsCommand,
  SageMakerClient,
  UpdateEndpointCommand,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import { echoImage, ROLE, trainingRequest } from '../helpers/fixtures.js';
import { endpointSettled, startTestStack, type TestStack, useTestStack } from '../helpers/stack.js';

const signedFor = (operation: string) => ({
  authorization:
    'AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/sagemaker/aws4_request, SignedHeaders=host, Signature=abc',
  'x-amz-target': `SageMaker.${operation}`,
  'content-type': 'application/x-amz-json-1.1',
});

describe('Faults: off by default', () => {
  const t = useTestStack();

  it('injects nothing when no faults are given', async () => {
    // Act
    const calls = await Promise.all(
      Array.from({ length: 50 }, () => t.sagemaker.send(new ListEndpointsCommand({}))),
    );

    // Assess
    expect(calls.every((call) => call.$metadata.attempts === 1)).toBe(true);
    expect(t.stack.faults.enabled).toBe(false);
    expect(t.stack.faults.injected).toEqual([]);
  });
});

describe('Faults: throttling', () => {
  let t: TestStack;
  beforeAll(async () => {
    t = await startTestStack({
      faults: { seed: 3, throttle: { share: 0.5, operations: ['ListEndpoints'] } },
    });
  });
  afterAll(() => t.stop());

  it('answers ThrottlingException with HTTP 400 in the AWS JSON 1.1 shape', async () => {
    // Act: enough calls that some are throttled
    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        fetch(`${t.stack.endpoint}/`, { method: 'POST', headers: signedFor('ListEndpoints'), body: '{}' }),
      ),
    );

    // Assess
    const throttled = responses.filter((response) => response.status !== 200);
    expect(throttled.length).toBeGreaterThan(0);
    for (const response of throttled) {
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toBe('application/x-amz-json-1.1');
      expect(response.headers.get('x-amzn-errortype')).toBe('ThrottlingException');
      expect(response.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
      expect(await response.json()).toEqual({ __type: 'ThrottlingException', message: 'Rate exceeded' });
    }
  });

  it('is absorbed by the SDK retry strategy, which sees it as throttling', async () => {
    // Prepare
    const client = new SageMakerClient({
      endpoint: t.stack.endpoint,
      region: 'us-east-1',
      maxAttempts: 10,
      retryMode: 'standard',
    });
    const before = t.stack.faults.counts.throttle;

    // Act
    const calls = [];
    for (let call = 0; call < 5; call += 1) calls.push(await client.send(new ListEndpointsCommand({})));

    // Assess
    expect(calls.every((call) => call.$metadata.httpStatusCode === 200)).toBe(true);
    const retries = calls.reduce((sum, call) => sum + (call.$metadata.attempts ?? 1) - 1, 0);
    expect(retries).toBe(t.stack.faults.counts.throttle - before);
    expect(retries).toBeGreaterThan(0);
    client.destroy();
  });

  it('leaves the operations it was not asked to throttle alone', async () => {
    const calls = await Promise.all(
      Array.from({ length: 20 }, () => t.sagemaker.send(new ListTrainingJobsCommand({}))),
    );
    expect(calls.every((call) => call.$metadata.attempts === 1)).toBe(true);
  });
});

describe('Faults: ResourceLimitExceeded', () => {
  let t: TestStack;
  let image: string;
  beforeAll(async () => {
    t = await startTestStack({ faults: { resourceLimitExceeded: { times: 1 } } });
    image = (await t.stack.images.push(echoImage, 'echo-model')).imageUri;
  });
  afterAll(() => t.stop());

  it('refuses the first CreateTrainingJob, which the SDK does not retry, and creates nothing', async () => {
    // Act
    const error = await t.sagemaker
      .send(new CreateTrainingJobCommand(trainingRequest('over-quota', image)))
      .catch((caught: unknown) => caught);
    const { TrainingJobSummaries } = await t.sagemaker.send(new ListTrainingJobsCommand({}));

    // Assess
    expect(error).toMatchObject({
      name: 'ResourceLimitExceeded',
      $metadata: { httpStatusCode: 400, attempts: 1 },
    });
    expect((error as Error).message).toMatch(/'ml.m5.large for training job usage' is 0 Instances/);
    expect(TrainingJobSummaries).toEqual([]);
  });

  it('accepts the next one', async () => {
    await expect(
      t.sagemaker.send(new CreateTrainingJobCommand(trainingRequest('within-quota', image))),
    ).resolves.toHaveProperty('TrainingJobArn');
    expect(t.stack.faults.counts.resourceLimitExceeded).toBe(1);
  });
});

describe('Faults: endpoint updates', () => {
  let t: TestStack;
  const modelData = 's3://ml-artifacts/models/model.tar.gz';

  const settled = (name: string) => endpointSettled(t, name);
  const servedVersion = async (name: string): Promise<string> => {
    const response = await t.runtime.send(
      new InvokeEndpointCommand({ EndpointName: name, Body: Buffer.from('x') }),
    );
    return JSON.parse(Buffer.from(response.Body ?? new Uint8Array()).toString('utf8')).version;
  };

  beforeAll(async () => {
    t = await startTestStack({
      faults: { endpointUpdatingMs: 1_500, pingFailsOnUpdate: { times: 1 } },
      endpointStartTimeoutMs: 10_000,
    });
    const image = (await t.stack.images.push(echoImage, 'echo-model')).imageUri;
    await t.s3.send(new CreateBucketCommand({ Bucket: 'ml-artifacts' }));
    const folder = mkdtempSync(path.join(tmpdir(), 'faults-model-'));
    writeFileSync(path.join(folder, 'model.json'), JSON.stringify({ rows: { train: 1 } }));
    execFileSync('tar', ['-czf', path.join(folder, 'model.tar.gz'), '-C', folder, 'model.json']);
    await t.s3.send(
      new PutObjectCommand({
        Bucket: 'ml-artifacts',
        Key: 'models/model.tar.gz',
        Body: readFileSync(path.join(folder, 'model.tar.gz')),
      }),
    );
    for (const version of ['1', '2', '3']) {
      await t.sagemaker.send(
        new CreateModelCommand({
          ModelName: `v${version}`,
          ExecutionRoleArn: ROLE,
          PrimaryContainer: {
            Image: image,
            ModelDataUrl: modelData,
            Environment: { MODEL_VERSION: version },
          },
        }),
      );
      await t.sagemaker.send(
        new CreateEndpointConfigCommand({
          EndpointConfigName: `v${version}-config`,
          ProductionVariants: [
            {
              VariantName: 'AllTraffic',
              ModelName: `v${version}`,
              InitialInstanceCount: 1,
              InstanceType: 'ml.m5.large',
            },
          ],
        }),
      );
    }
    await t.sagemaker.send(
      new CreateEndpointCommand({ EndpointName: 'held', EndpointConfigName: 'v1-config' }),
    );
    await settled('held');
  });
  afterAll(() => t.stop());

  it('rolls back an update whose new fleet fails /ping, and the old version keeps serving', async () => {
    // Act
    await t.sagemaker.send(
      new UpdateEndpointCommand({ EndpointName: 'held', EndpointConfigName: 'v2-config' }),
    );
    const during = await servedVersion('held');
    const endpoint = await settled('held');

    // Assess
    expect(endpoint).toMatchObject({ EndpointStatus: 'InService', EndpointConfigName: 'v1-config' });
    expect(endpoint.FailureReason).toMatch(
      /did not pass the ping health check \(fault injected: pingFailsOnUpdate\)/,
    );
    expect(during).toBe('1');
    expect(await servedVersion('held')).toBe('1');
    expect(t.stack.faults.counts.pingFailsOnUpdate).toBe(1);
  });

  it('keeps an update Updating for the configured time, refusing another update meanwhile', async () => {
    // Act
    const started = Date.now();
    await t.sagemaker.send(
      new UpdateEndpointCommand({ EndpointName: 'held', EndpointConfigName: 'v3-config' }),
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const during = await t.sagemaker.send(new DescribeEndpointCommand({ EndpointName: 'held' }));
    const second = await t.sagemaker
      .send(new UpdateEndpointCommand({ EndpointName: 'held', EndpointConfigName: 'v2-config' }))
      .catch((caught: unknown) => caught);
    const endpoint = await settled('held');

    // Assess
    expect(during).toMatchObject({
      EndpointStatus: 'Updating',
      PendingDeploymentSummary: { EndpointConfigName: 'v3-config' },
    });
    expect(second).toMatchObject({
      name: 'ValidationException',
      message: expect.stringMatching(/in-progress/),
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_500);
    expect(endpoint).toMatchObject({ EndpointStatus: 'InService', EndpointConfigName: 'v3-config' });
    expect(await servedVersion('held')).toBe('3');
  });
});
