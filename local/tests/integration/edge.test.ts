import { execFile } from 'node:child_process';
import net from 'node:net';
import { promisify } from 'node:util';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { startStack } from '../../src/stack.js';
import { useTestStack } from '../helpers/stack.js';

const run = promisify(execFile);

describe('Edge: routing', () => {
  const t = useTestStack();

  it.each([
    ['a service the stack does not serve, at once', 'dynamodb', 'DynamoDB_20120810.ListTables', '1.0'],
    [
      'an operation SageMaker does not implement locally',
      'sagemaker',
      'SageMaker.CreateNotebookInstance',
      '1.1',
    ],
  ])('returns UnknownOperationException for %s', async (_what, service, target, jsonVersion) => {
    // Act
    const response = await fetch(`${t.stack.endpoint}/`, {
      method: 'POST',
      headers: {
        authorization: `AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=abc`,
        'x-amz-target': target,
        'content-type': `application/x-amz-json-${jsonVersion}`,
      },
      body: '{}',
    });

    // Assess
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ __type: 'UnknownOperationException' });
  });

  it('accepts any credentials', async () => {
    const client = new S3Client({
      endpoint: t.stack.endpoint,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIAANY', secretAccessKey: 'whatever' },
    });
    await expect(client.send(new ListBucketsCommand({}))).resolves.toHaveProperty(
      '$metadata.httpStatusCode',
      200,
    );
    client.destroy();
  });

  it('serves every SDK v3 client with AWS_ENDPOINT_URL alone', async () => {
    // Prepare: a separate process so that the clients read the environment as a handler would
    const script = `
      import { S3Client, ListBucketsCommand } from '@aws-sdk/client-s3';
      import { SageMakerClient, ListEndpointsCommand } from '@aws-sdk/client-sagemaker';
      import { SageMakerRuntimeClient, InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
      import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
      const s3 = await new S3Client({}).send(new ListBucketsCommand({}));
      const sm = await new SageMakerClient({}).send(new ListEndpointsCommand({}));
      const eb = await new EventBridgeClient({}).send(new PutEventsCommand({ Entries: [{ Source: 'env.test', DetailType: 't', Detail: '{}' }] }));
      const rt = await new SageMakerRuntimeClient({}).send(new InvokeEndpointCommand({ EndpointName: 'none', Body: 'x' })).catch((e) => e.name);
      console.log(JSON.stringify({ s3: s3.$metadata.httpStatusCode, sm: sm.Endpoints, eb: eb.FailedEntryCount, rt }));
    `;

    // Act
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      cwd: process.cwd(),
      env: {
        PATH: process.env.PATH,
        AWS_ENDPOINT_URL: t.stack.endpoint,
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_REGION: 'us-east-1',
        AWS_EC2_METADATA_DISABLED: 'true',
      },
    });

    // Assess
    expect(JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}')).toEqual({
      s3: 200,
      sm: [],
      eb: 0,
      rt: 'ValidationError',
    });
  });

  it('reports health, invocations and events under /_local', async () => {
    const health = (await (await fetch(`${t.stack.endpoint}/_local/health`)).json()) as {
      status: string;
      endpoint: string;
    };
    const invocations = (await (await fetch(`${t.stack.endpoint}/_local/invocations`)).json()) as {
      invocations: unknown[];
    };
    expect(health).toMatchObject({ status: 'ok', endpoint: t.stack.endpoint });
    expect(invocations.invocations).toEqual([]);
  });

  it('fails with a clear error when the port is in use', async () => {
    // Prepare
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as net.AddressInfo;

    // Act & Assess
    await expect(
      startStack({ port, dir: `${t.stack.dir}/second`, services: [], logger: { info() {}, warn() {} } }),
    ).rejects.toThrow(`Port ${port} on 127.0.0.1 is already in use`);
    blocker.close();
  });

  it('is ready in well under 2 seconds', () => {
    expect(t.stack.readyMs).toBeLessThan(2_000);
  });
});
