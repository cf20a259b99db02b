import {
  type Stack as CfnStack,
  type CloudFormationClient,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import {
  DescribeEndpointCommand,
  type DescribeEndpointCommandOutput,
  DescribeTrainingJobCommand,
  type DescribeTrainingJobCommandOutput,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { eventually } from '@sagemaker-pipeline/testing/wait';
import { silentLogger } from '../../src/log.js';
import { type Stack, type StackOptions, startStack } from '../../src/stack.js';

export { eventually };

export interface TestStack {
  stack: Stack;
  s3: S3Client;
  sagemaker: SageMakerClient;
  runtime: SageMakerRuntimeClient;
  events: EventBridgeClient;
  stop(): Promise<void>;
}

export async function startTestStack(options: Partial<StackOptions> = {}): Promise<TestStack> {
  const stack = await startStack({
    port: 0,
    temporary: true,
    logger: silentLogger,
    services: [],
    ...options,
  });
  return {
    stack,
    s3: stack.client(S3Client),
    sagemaker: stack.client(SageMakerClient),
    runtime: stack.client(SageMakerRuntimeClient),
    events: stack.client(EventBridgeClient),
    stop: () => stack.stop(),
  };
}

/** A stack for the tests of one describe block: started before them, stopped after them. */
export function useTestStack(options: Partial<StackOptions> = {}): TestStack {
  let started: TestStack | undefined;
  beforeAll(async () => {
    started = await startTestStack(options);
  });
  afterAll(() => started?.stop());
  return new Proxy({} as TestStack, {
    get(_target, key) {
      if (!started) throw new Error('the test stack is used before it started');
      return started[key as keyof TestStack];
    },
  });
}

/** The endpoint once it is no longer Creating or Updating. */
export const endpointSettled = (
  { sagemaker }: { sagemaker: SageMakerClient },
  name: string,
): Promise<DescribeEndpointCommandOutput> =>
  eventually(`endpoint ${name} to settle`, async () => {
    const endpoint = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: name }));
    return ['Creating', 'Updating'].includes(endpoint.EndpointStatus ?? '') ? undefined : endpoint;
  });

/** The training job once it is Completed, Failed or Stopped. */
export const trainingFinished = (
  { sagemaker }: { sagemaker: SageMakerClient },
  name: string,
): Promise<DescribeTrainingJobCommandOutput> =>
  eventually(`training job ${name} to finish`, async () => {
    const job = await sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: name }));
    return ['Completed', 'Failed', 'Stopped'].includes(job.TrainingJobStatus ?? '') ? job : undefined;
  });

/** The CloudFormation stack once no operation is in progress on it. */
export const stackSettled = (cloudformation: CloudFormationClient, name: string): Promise<CfnStack> =>
  eventually(`stack ${name} to settle`, async () => {
    const [stack] = (await cloudformation.send(new DescribeStacksCommand({ StackName: name }))).Stacks ?? [];
    return stack?.StackStatus?.endsWith('_IN_PROGRESS') ? undefined : stack;
  });
