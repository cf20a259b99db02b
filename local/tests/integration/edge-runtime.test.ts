/**
 * An InvokeEndpoint without a SigV4 scope (curl, a load tester) reaches the SageMaker runtime by its path, as AWS
 * reaches it by its host: not S3, whose answer would be NoSuchBucket for a bucket named "endpoints".
 */
import { useTestStack } from '../helpers/stack.js';

describe('Edge: unsigned InvokeEndpoint', () => {
  const t = useTestStack();

  it('is answered by the SageMaker runtime, in its JSON error shape', async () => {
    const response = await fetch(`${t.stack.endpoint}/endpoints/no-such-endpoint/invocations`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: '1,2,3',
    });

    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('json');
    expect(await response.json()).toMatchObject({
      __type: expect.stringContaining('ValidationError'),
      message: expect.stringContaining('Endpoint no-such-endpoint of account 000000000000 not found'),
    });
  });

  it('leaves an S3 request to a bucket named endpoints with S3', async () => {
    const response = await fetch(`${t.stack.endpoint}/endpoints/some/key`, { method: 'GET' });

    expect(await response.text()).toContain('<Code>NoSuchBucket</Code>');
  });
});
