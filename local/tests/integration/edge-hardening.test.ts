// Requests that once crashed or fooled the edge: each is answered with an AWS error and the stack keeps serving.
// (Slow clients, a body or headers that stop arriving, are covered by reliability/tests/stack.)
import net from 'node:net';
import { ListTrainingJobsCommand } from '@aws-sdk/client-sagemaker';
import { useTestStack } from '../helpers/stack.js';

/** Sends raw bytes and returns what came back before the server closed the connection. */
function rawRequest(port: number, payload: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.end(payload));
    let received = '';
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('utf8');
    });
    socket.on('close', () => resolve(received));
    socket.on('error', reject);
    socket.setTimeout(5_000, () => socket.destroy(new Error('no answer within 5 s')));
  });
}

const sageMakerHeaders = (target: string) =>
  'Authorization: AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/sagemaker/aws4_request, SignedHeaders=host, Signature=abc\r\n' +
  `X-Amz-Target: ${target}\r\nContent-Type: application/x-amz-json-1.1\r\n`;

describe('Edge: malformed requests', () => {
  const t = useTestStack();

  it.each(['//', '//user:pass@:x/', '//[::1'])(
    'answers a request target it cannot parse (%s) with InvalidURI',
    async (target) => {
      // Act
      const answer = await rawRequest(t.stack.port, `GET ${target} HTTP/1.1\r\nHost: x\r\n\r\n`);

      // Assess
      expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
      expect(answer).toContain('<Code>InvalidURI</Code>');
      await expect(t.sagemaker.send(new ListTrainingJobsCommand({}))).resolves.toBeDefined();
    },
  );

  it('answers CONNECT, which no AWS API takes, with 405 instead of dropping the connection', async () => {
    const answer = await rawRequest(
      t.stack.port,
      'CONNECT 127.0.0.1:443 HTTP/1.1\r\nHost: 127.0.0.1:443\r\n\r\n',
    );
    expect(answer).toMatch(/^HTTP\/1\.1 405 Method Not Allowed\r\n/);
    expect(answer).toContain('"__type":"MethodNotAllowed"');
  });

  it('refuses a /_local/images push whose body is not JSON with SerializationException', async () => {
    const response = await fetch(`${t.stack.endpoint}/_local/images`, {
      method: 'POST',
      body: '{"folder": ',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ __type: 'SerializationException' });
  });

  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty'])(
    'refuses SageMaker.%s, a name every object has, as an unknown operation',
    async (name) => {
      // Act
      const answer = await rawRequest(
        t.stack.port,
        `POST / HTTP/1.1\r\nHost: x\r\n${sageMakerHeaders(`SageMaker.${name}`)}Content-Length: 2\r\n\r\n{}`,
      );

      // Assess
      expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
      expect(answer).toContain('"__type":"UnknownOperationException"');
    },
  );

  it.each(['null', '[]', '"ListTrainingJobs"', '42'])(
    'refuses a JSON body that is not an object (%s) with SerializationException',
    async (body) => {
      // Act
      const answer = await rawRequest(
        t.stack.port,
        `POST / HTTP/1.1\r\nHost: x\r\n${sageMakerHeaders('SageMaker.CreateTrainingJob')}Content-Length: ${body.length}\r\n\r\n${body}`,
      );

      // Assess
      expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
      expect(answer).toContain(
        '{"__type":"SerializationException","message":"Request body must be a JSON object"}',
      );
    },
  );
});
