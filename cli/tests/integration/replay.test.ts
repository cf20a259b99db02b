// On the offline stack with infra and deploy-model as deployed: deploy-model fails every retry of an approval
// (SageMaker refuses its registry read with a fault the SDK does not retry, as throttling past the SDK's own
// retries ends, only sooner), Lambda puts the event in its dead-letter queue, the queue's alarm publishes an
// alert, and `pipeline replay` hands the event back, which deploys the version.
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateModelPackageCommand,
  DescribeEndpointCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { type Stack, silentLogger, startStack } from '@sagemaker-pipeline/local';
import { eventually } from '@sagemaker-pipeline/testing/wait';
import { main } from '../../src/main.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const echoImage = path.join(root, 'local/tests/fixtures/images/echo-model');
const PIPELINE = 'mlpipe-local';
const BUCKET = `${PIPELINE}-000000000000-us-east-1`;
const DLQ = `${PIPELINE}-deploy-model-dlq`;

describe('Command: pipeline replay, on the offline stack', () => {
  let stack: Stack;
  let sagemaker: SageMakerClient;
  const saved = { ...process.env };

  beforeAll(async () => {
    stack = await startStack({
      port: 0,
      temporary: true,
      logger: silentLogger,
      services: [path.join(root, 'packages/infra'), path.join(root, 'packages/deploy-model')],
      env: {},
      faults: { resourceLimitExceeded: { share: 1, operations: ['ListModelPackages'] } },
    });
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: stack.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    });
    const config = { endpoint: stack.endpoint, region: 'us-east-1' };
    sagemaker = new SageMakerClient(config);
    const s3 = new S3Client({ ...config, forcePathStyle: true });
    await writeFile(path.join(stack.dir, 'model.json'), '{}');
    execFileSync('tar', ['-czf', path.join(stack.dir, 'model.tar.gz'), '-C', stack.dir, 'model.json']);
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'models/m/model.tar.gz',
        Body: await readFile(path.join(stack.dir, 'model.tar.gz')),
      }),
    );
    s3.destroy();
  });
  afterAll(async () => {
    process.env = saved;
    sagemaker?.destroy();
    await stack?.stop();
  });

  it('keeps the event that failed every retry, alerts, and deploys it when replayed', async () => {
    // Act 1: an approval that deploy-model cannot act on, whatever it retries
    const { imageUri } = await stack.images.push(echoImage, 'echo-model', 'v1');
    await sagemaker.send(
      new CreateModelPackageCommand({
        ModelPackageGroupName: PIPELINE,
        ModelApprovalStatus: 'Approved',
        InferenceSpecification: {
          Containers: [{ Image: imageUri, ModelDataUrl: `s3://${BUCKET}/models/m/model.tar.gz` }],
          SupportedContentTypes: ['text/csv'],
          SupportedResponseMIMETypes: ['application/json'],
        },
      }),
    );
    const dlq = stack.queues.get(DLQ);
    await eventually('the event in the dead-letter queue', () => (dlq?.messages.length ? true : undefined));
    const alert = await eventually('an alert', () =>
      stack.sns.published.find((message) => message.subject?.includes(`${DLQ}-not-empty`)),
    );

    // Assess 1: three failed attempts, the event kept with its error, a human told
    const failed = stack.functions.invocations.filter((call) => call.function === 'deployModel');
    expect(failed.map((call) => [call.attempt, call.status])).toEqual([
      [1, 'error'],
      [2, 'error'],
      [3, 'error'],
    ]);
    const kept = JSON.parse(dlq?.messages[0]?.body ?? '{}');
    expect(kept).toMatchObject({
      requestContext: { condition: 'RetriesExhausted', approximateInvokeCount: 3 },
      requestPayload: { 'detail-type': 'SageMaker Model Package State Change' },
      responsePayload: { errorType: 'ResourceLimitExceeded' },
    });
    expect(alert.topicArn).toBe(`arn:aws:sns:us-east-1:000000000000:${PIPELINE}-alerts`);
    expect(JSON.parse(alert.message)).toMatchObject({
      AlarmName: `${DLQ}-not-empty`,
      NewStateValue: 'ALARM',
    });

    // Act 2: the fault is gone; the queue is replayed (before the reconcile schedule's first run)
    stack.faults.set({});
    const lines: string[] = [];
    const code = await main(['replay', '--queue', DLQ], (line) => lines.push(line));

    // Assess 2: the replayed event deployed the version, and the queue is empty
    expect(code).toBe(0);
    expect(lines).toEqual([
      expect.stringMatching(
        /^replayed 1: SageMaker Model Package State Change \(failed: .*\) -> function mlpipe-local-deploy-model-local-deployModel$/,
      ),
      `${DLQ}: 1 replayed, 0 failed`,
    ]);
    const endpoint = await eventually('the endpoint InService', async () => {
      const described = await sagemaker
        .send(new DescribeEndpointCommand({ EndpointName: PIPELINE }))
        .catch(() => undefined);
      return described?.EndpointStatus === 'InService' ? described : undefined;
    });
    expect(endpoint.EndpointStatus).toBe('InService');
    const deployed = stack.functions.invocations.find(
      (call) =>
        call.function === 'deployModel' && (call.result as { status?: string })?.status === 'deploying',
    );
    expect(deployed).toMatchObject({
      trigger: 'direct',
      result: { action: 'create', modelPackageVersion: 1 },
    });
    expect(dlq?.messages).toHaveLength(0);
    expect(stack.schedules.list().every((rule) => rule.runs === 0)).toBe(true);
  });
});
