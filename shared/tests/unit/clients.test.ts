import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { ListTrainingJobsCommand } from '@aws-sdk/client-sagemaker';
import {
  countingCalls,
  createS3Client,
  createSageMakerClient,
  hasEndpointOverride,
} from '../../src/clients.js';

interface Seen {
  url: string;
  headers: IncomingHttpHeaders;
}

/** A loopback server that records requests and answers like an empty AWS service. */
async function recorder(): Promise<{ server: Server; url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    req.resume();
    req.on('end', () => {
      if (req.headers['x-amz-target']) {
        res
          .writeHead(200, { 'content-type': 'application/x-amz-json-1.1' })
          .end('{"TrainingJobSummaries":[]}');
      } else {
        res
          .writeHead(200, { 'content-type': 'application/xml' })
          .end(
            '<?xml version="1.0"?><ListBucketResult><Name>b</Name><KeyCount>0</KeyCount></ListBucketResult>',
          );
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}`, seen };
}

/** The requests `send` made with AWS_ENDPOINT_URL pointing at a recorder. */
async function seenThroughEndpoint(send: () => Promise<unknown>): Promise<Seen[]> {
  const { server, url, seen } = await recorder();
  process.env.AWS_ENDPOINT_URL = url;
  try {
    await send();
  } finally {
    server.close();
  }
  return seen;
}

describe('Module: clients', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('sends SageMaker calls to AWS_ENDPOINT_URL when it is set', async () => {
    const seen = await seenThroughEndpoint(() =>
      createSageMakerClient().send(new ListTrainingJobsCommand({ NameContains: 'churn' })),
    );
    expect(seen).toHaveLength(1);
    expect(seen[0]?.headers['x-amz-target']).toBe('SageMaker.ListTrainingJobs');
  });

  it('prefers AWS_ENDPOINT_URL_SAGEMAKER over AWS_ENDPOINT_URL', async () => {
    const specific = await recorder();
    const general = await recorder();
    process.env.AWS_ENDPOINT_URL = general.url;
    process.env.AWS_ENDPOINT_URL_SAGEMAKER = specific.url;
    try {
      await createSageMakerClient().send(new ListTrainingJobsCommand({}));
    } finally {
      specific.server.close();
      general.server.close();
    }
    expect(specific.seen).toHaveLength(1);
    expect(general.seen).toHaveLength(0);
  });

  it('addresses S3 by path when an endpoint override is set', async () => {
    const seen = await seenThroughEndpoint(() =>
      createS3Client().send(new ListObjectsV2Command({ Bucket: 'pipeline-bucket' })),
    );
    expect(seen[0]?.url).toMatch(/^\/pipeline-bucket\/?\?list-type=2/);
  });

  it('uses adaptive retries', async () => {
    expect(await createSageMakerClient().config.retryStrategy()).toHaveProperty('mode', 'adaptive');
  });

  it('detects endpoint overrides per service', () => {
    expect(hasEndpointOverride('S3', {})).toBe(false);
    expect(hasEndpointOverride('S3', { AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:1' })).toBe(true);
    expect(hasEndpointOverride('SageMaker', { AWS_ENDPOINT_URL: 'http://127.0.0.1:1' })).toBe(true);
  });
});

describe('Function: countingCalls', () => {
  it('counts the commands sent with the client it wraps, which still sends them', async () => {
    const { server, url, seen } = await recorder();
    const client = createSageMakerClient({
      endpoint: url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const counted = countingCalls(client);
    try {
      await counted.client.send(new ListTrainingJobsCommand({}));
      await counted.client.send(new ListTrainingJobsCommand({ NameContains: 'churn-' }));
    } finally {
      server.close();
    }

    expect(counted.calls()).toBe(2);
    expect(seen).toHaveLength(2);
    expect(counted.client).toBeInstanceOf(client.constructor);
    expect(counted.client.config).toBe(client.config);
  });
});
