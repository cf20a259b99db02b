import { PutEventsCommand, TestEventPatternCommand } from '@aws-sdk/client-eventbridge';
import { event, patternCases } from '../helpers/pattern-table.js';
import { useTestStack } from '../helpers/stack.js';

describe('EventBridge: PutEvents and patterns', () => {
  const t = useTestStack();

  it('accepts valid entries and rejects invalid ones per entry, like AWS', async () => {
    // Act
    const result = await t.events.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: 'com.example.pipeline',
            DetailType: 'Data Arrived',
            Detail: JSON.stringify({ rows: 3 }),
            Resources: ['arn:x'],
          },
          { Source: 'com.example.pipeline', DetailType: 'Data Arrived', Detail: 'not json' },
          { Source: 'com.example.pipeline', Detail: '{}' },
          { Source: 'aws.sagemaker', DetailType: 'SageMaker Training Job State Change', Detail: '{}' },
          { Source: 'com.example.pipeline', DetailType: 'x', Detail: '{}', EventBusName: 'other-bus' },
        ],
      }),
    );

    // Assess
    expect(result.FailedEntryCount).toBe(4);
    expect(result.Entries?.[0]?.EventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.Entries?.slice(1).map((entry) => entry.ErrorCode)).toEqual([
      'MalformedDetail',
      'InvalidArgument',
      'NotAuthorizedForSourceException',
      'ResourceNotFoundException',
    ]);
    const stored = t.stack.bus.recorded.find(
      (record) => record.event.id === result.Entries?.[0]?.EventId,
    )?.event;
    expect(stored).toMatchObject({
      version: '0',
      source: 'com.example.pipeline',
      'detail-type': 'Data Arrived',
      account: '000000000000',
      region: 'us-east-1',
      resources: ['arn:x'],
      detail: { rows: 3 },
    });
  });

  it('rejects more than 10 entries with ValidationException', async () => {
    const entries = Array.from({ length: 11 }, () => ({
      Source: 'com.example',
      DetailType: 'x',
      Detail: '{}',
    }));
    await expect(t.events.send(new PutEventsCommand({ Entries: entries }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });

  it('lists every event put on the bus at /_local/events', async () => {
    const response = await fetch(`${t.stack.endpoint}/_local/events`);
    const body = (await response.json()) as { events: { event: { source: string } }[] };
    expect(body.events.map((record) => record.event.source)).toEqual(['com.example.pipeline']);
  });

  it.each(patternCases)('TestEventPattern: %s', async (_label, pattern, expected) => {
    const result = await t.events.send(
      new TestEventPatternCommand({ EventPattern: JSON.stringify(pattern), Event: JSON.stringify(event) }),
    );
    expect(result.Result).toBe(expected);
  });

  it('answers an invalid pattern with InvalidEventPatternException', async () => {
    await expect(
      t.events.send(
        new TestEventPatternCommand({
          EventPattern: JSON.stringify({ source: 'aws.ec2' }),
          Event: JSON.stringify(event),
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidEventPatternException' });
  });
});
