// What a conformance case is: one call of one AWS operation through a real SDK client, and AWS's documented
// answer to it (status, error code, headers, body shape), asserted.
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { ECRClient } from '@aws-sdk/client-ecr';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { STSClient } from '@aws-sdk/client-sts';
import type { Stack } from '../../src/stack.js';

export interface Clients {
  stack: Stack;
  s3: S3Client;
  sagemaker: SageMakerClient;
  runtime: SageMakerRuntimeClient;
  events: EventBridgeClient;
  sns: SNSClient;
  sqs: SQSClient;
  lambda: LambdaClient;
  cloudformation: CloudFormationClient;
  sts: STSClient;
  ecr: ECRClient;
  logs: CloudWatchLogsClient;
}

export type Service =
  | 'S3'
  | 'SageMaker'
  | 'SageMaker Runtime'
  | 'EventBridge'
  | 'SNS'
  | 'SQS'
  | 'Lambda'
  | 'CloudFormation'
  | 'STS'
  | 'ECR'
  | 'CloudWatch Logs';

export interface ConformanceCase {
  service: Service;
  operation: string;
  /** AWS's answer, as its API reference documents it. */
  answer: string;
  run(clients: Clients): Promise<void>;
}

/** The call fails as AWS fails it: the SDK's error name (the error code) and the HTTP status. */
export async function refused(call: Promise<unknown>, code: string, status: number): Promise<void> {
  await expect(call).rejects.toMatchObject({ name: code, $metadata: { httpStatusCode: status } });
}

/** Cases of one service, each named `<operation>: <answer>`. */
export const casesOf = (
  service: Service,
  cases: [operation: string, answer: string, run: ConformanceCase['run']][],
): ConformanceCase[] => cases.map(([operation, answer, run]) => ({ service, operation, answer, run }));
