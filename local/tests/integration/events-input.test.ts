/**
 * PutEvents refuses input AWS refuses, with AWS's error types and never a server error: a body that is no
 * structure, a `null` entry, and a string field sent as another JSON type (the SDK sends what it is given).
 */
import { EventBridgeServiceException, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { useTestStack } from '../helpers/stack.js';

const scope =
  'AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/events/aws4_request, SignedHeaders=host, Signature=abc';

describe('EventBridge: PutEvents input that AWS refuses', () => {
  const t = useTestStack();

  const raw = (body: string) =>
    fetch(`${t.stack.endpoint}/`, {
      method: 'POST',
      headers: {
        authorization: scope,
        'x-amz-target': 'AWSEvents.PutEvents',
        'content-type': 'application/x-amz-json-1.1',
      },
      body,
    });

  it.each([
    ['a null body', 'null', 'SerializationException'],
    ['a list for a body', '[]', 'SerializationException'],
    ['a null entry', '{"Entries":[null]}', 'ValidationException'],
  ])('answers %s (%s) with a 400 %s', async (_what, body, type) => {
    const response = await raw(body);

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ __type: type });
  });

  it('answers a numeric Source, sent by the SDK, with a SerializationException naming the field', async () => {
    const call = t.events.send(
      new PutEventsCommand({ Entries: [{ Source: 42 as never, DetailType: 'x', Detail: '{}' }] }),
    );

    await expect(call).rejects.toBeInstanceOf(EventBridgeServiceException);
    await expect(call).rejects.toMatchObject({
      name: 'SerializationException',
      message: 'Entries[0].Source must be a string',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('still takes a valid entry', async () => {
    await expect(
      t.events.send(new PutEventsCommand({ Entries: [{ Source: 'app', DetailType: 'x', Detail: '{}' }] })),
    ).resolves.toMatchObject({ FailedEntryCount: 0 });
  });
});
