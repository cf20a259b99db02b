// The offline stack for the integration tests: a stack on a free loopback port in a temporary folder,
// clients pointed at it, a model package group, the model data in S3 and the stack's echo-model test image,
// which answers every invocation with the MODEL_VERSION of its container environment.
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateModelPackageCommand,
  CreateModelPackageGroupCommand,
  DescribeEndpointCommand,
  type DescribeEndpointCommandOutput,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { type Stack, type StackOptions, startStack } from '@sagemaker-pipeline/local';
import {
  type ModelPackageStateChangeEvent,
  ModelPackageStateChangeEventSchema,
} from '@sagemaker-pipeline/shared/events';
import { eventually } from '@sagemaker-pipeline/testing/wait';
import * as v from 'valibot';

const echoImage = fileURLToPath(
  new URL('../../../../local/tests/fixtures/images/echo-model', import.meta.url),
);
const BUCKET = 'deploy-model-tests';

export interface OfflineStack {
  stack: Stack;
  sagemaker: SageMakerClient;
  runtime: SageMakerRuntimeClient;
  group: string;
  imageUri: string;
  stop(): Promise<void>;
}

export async function startOfflineStack(
  group: string,
  options: Partial<StackOptions> = {},
): Promise<OfflineStack> {
  const stack = await startStack({
    port: 0,
    temporary: true,
    services: [],
    logger: { info: () => {}, warn: () => {} },
    endpointStartTimeoutMs: 10_000,
    ...options,
  });
  const sagemaker = stack.client(SageMakerClient);
  const runtime = stack.client(SageMakerRuntimeClient);
  const s3 = stack.client(S3Client, { forcePathStyle: true });
  const stop = () => stack.stop();
  try {
    const { imageUri } = await stack.images.push(echoImage, 'echo-model', 'v1');
    await writeFile(path.join(stack.dir, 'model.json'), JSON.stringify({ rows: { train: 2 } }));
    execFileSync('tar', ['-czf', path.join(stack.dir, 'model.tar.gz'), '-C', stack.dir, 'model.json']);
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    const body = await readFile(path.join(stack.dir, 'model.tar.gz'));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'model.tar.gz', Body: body }));
    await sagemaker.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: group }));
    return { stack, sagemaker, runtime, group, imageUri, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Registers an Approved version whose container answers with `modelVersion`; returns its ARN. */
export async function registerApproved(t: OfflineStack, modelVersion: string): Promise<string> {
  const { ModelPackageArn } = await t.sagemaker.send(
    new CreateModelPackageCommand({
      ModelPackageGroupName: t.group,
      ModelApprovalStatus: 'Approved',
      InferenceSpecification: {
        Containers: [
          {
            Image: t.imageUri,
            ModelDataUrl: `s3://${BUCKET}/model.tar.gz`,
            Environment: { MODEL_VERSION: modelVersion },
          },
        ],
        SupportedContentTypes: ['text/csv'],
        SupportedResponseMIMETypes: ['application/json'],
      },
    }),
  );
  if (!ModelPackageArn) throw new Error('CreateModelPackage returned no ARN');
  return ModelPackageArn;
}

/** The newest state-change event the stack emitted for a package, as EventBridge delivers it. */
export function lastPackageEvent(t: OfflineStack, arn: string): ModelPackageStateChangeEvent {
  const event = t.stack.bus.recorded
    .map((recorded) => recorded.event)
    .filter(
      (candidate) =>
        candidate['detail-type'] === 'SageMaker Model Package State Change' &&
        candidate.detail.ModelPackageArn === arn,
    )
    .at(-1);
  return v.parse(ModelPackageStateChangeEventSchema, event);
}

/** The endpoint once it exists and is neither Creating nor Updating, polled for at most `timeoutMs`. */
export async function settledEndpoint(
  t: OfflineStack,
  name: string,
  timeoutMs = 15_000,
): Promise<DescribeEndpointCommandOutput> {
  const deadline = Date.now() + timeoutMs;
  let last = 'not found';
  while (Date.now() < deadline) {
    const endpoint = await t.sagemaker
      .send(new DescribeEndpointCommand({ EndpointName: name }))
      .catch(() => undefined);
    last = endpoint?.EndpointStatus ?? 'not found';
    if (endpoint && !['Creating', 'Updating'].includes(last)) return endpoint;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`endpoint ${name} did not settle within ${timeoutMs} ms (last: ${last})`);
}

/** The MODEL_VERSION of the container that answers an invocation of the endpoint. */
export async function servedVersion(t: OfflineStack, name: string): Promise<string> {
  const response = await t.runtime.send(
    new InvokeEndpointCommand({ EndpointName: name, ContentType: 'text/csv', Body: '1,2' }),
  );
  return (JSON.parse(new TextDecoder().decode(response.Body)) as { version: string }).version;
}

/** Polls `read` every 100 ms until `done` holds for its value, for at most `timeoutMs`; returns that value. */
export async function waitFor<T>(
  read: () => T | Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 15_000,
): Promise<T> {
  let last: T | undefined;
  return eventually(
    () => `the condition; last value: ${JSON.stringify(last)}`,
    async () => {
      last = await read();
      return done(last) ? last : undefined;
    },
    timeoutMs,
  );
}
