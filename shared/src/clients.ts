/**
 * AWS SDK v3 clients, one per service, to be created once at module scope of a handler and passed to the
 * business functions. Adaptive retries absorb throttling (SageMaker's List* calls are limited to a few
 * requests a second). The SDK itself honours AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>, so the same
 * bundle talks to AWS or to the offline stack; S3 then needs path-style addressing.
 */
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { SageMakerClient, type SageMakerClientConfig } from '@aws-sdk/client-sagemaker';

export const DEFAULT_MAX_ATTEMPTS = 5;

/** True when the environment points the SDK at another endpoint than AWS (the offline stack, say). */
export function hasEndpointOverride(
  service: string,
  env: Record<string, string | undefined> = process.env,
): boolean {
  const key = `AWS_ENDPOINT_URL_${service.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}`;
  return Boolean(env[key] ?? env.AWS_ENDPOINT_URL);
}

const commonConfig = { retryMode: 'adaptive', maxAttempts: DEFAULT_MAX_ATTEMPTS } as const;

export function createSageMakerClient(config: SageMakerClientConfig = {}): SageMakerClient {
  return new SageMakerClient({ ...commonConfig, ...config });
}

export function createS3Client(config: S3ClientConfig = {}): S3Client {
  return new S3Client({ ...commonConfig, forcePathStyle: hasEndpointOverride('S3'), ...config });
}

/**
 * The client seen through an object that counts the commands sent with it, so that a sweep can report what it
 * cost. Everything else (configuration, middleware, retries) is the client's own: the object inherits from it.
 */
export function countingCalls<C extends { send(...args: never[]): unknown }>(
  client: C,
): { client: C; calls: () => number } {
  let calls = 0;
  const counted = Object.create(client) as C;
  const send = client.send as (...args: never[]) => unknown;
  counted.send = ((...args: never[]) => {
    calls += 1;
    return send.apply(client, args);
  }) as C['send'];
  return { client: counted, calls: () => calls };
}
