import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  DeleteMessageCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { main } from '../../src/main.js';
import { functionOf, replayQueue } from '../../src/replay.js';

const sqs = mockClient(SQSClient);
const lambda = mockClient(LambdaClient);
const DLQ = 'https://sqs.us-east-1.amazonaws.com/123456789012/mlpipe-dev-deploy-model-dlq';
const FUNCTION = 'arn:aws:lambda:us-east-1:123456789012:function:mlpipe-dev-deploy-model-dev-deployModel';
const event = { id: 'e-1', 'detail-type': 'SageMaker Model Package State Change', detail: { x: 1 } };
const record = (requestPayload: unknown) =>
  JSON.stringify({
    version: '1.0',
    requestContext: {
      functionArn: `${FUNCTION}:$LATEST`,
      condition: 'RetriesExhausted',
      approximateInvokeCount: 3,
    },
    requestPayload,
    responsePayload: { errorType: 'ThrottlingException', errorMessage: 'Rate exceeded' },
  });

const run = (overrides: Partial<Parameters<typeof replayQueue>[0]> = {}) =>
  replayQueue({
    sqs: new SQSClient({}),
    lambda: new LambdaClient({}),
    queue: 'mlpipe-dev-deploy-model-dlq',
    ...overrides,
  });

describe('Function: replayQueue', () => {
  beforeEach(() => {
    sqs.reset();
    lambda.reset();
    sqs.on(GetQueueUrlCommand).resolves({ QueueUrl: DLQ });
  });

  it('invokes each recorded event again on its function, asynchronously, then deletes the message', async () => {
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [{ MessageId: 'm-1', ReceiptHandle: 'r-1', Body: record(event) }] })
      .resolves({ Messages: [] });
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
    const lines: string[] = [];

    const summary = await run({ log: (line) => lines.push(line) });

    expect(lambda).toHaveReceivedCommandWith(InvokeCommand, {
      FunctionName: FUNCTION,
      InvocationType: 'Event',
      Payload: JSON.stringify(event),
    });
    expect(sqs).toHaveReceivedCommandWith(DeleteMessageCommand, { QueueUrl: DLQ, ReceiptHandle: 'r-1' });
    expect(summary).toMatchObject({ queue: 'mlpipe-dev-deploy-model-dlq', replayed: 1, failed: 0 });
    expect(lines).toEqual([
      'replayed 1: SageMaker Model Package State Change (failed: Rate exceeded) -> function mlpipe-dev-deploy-model-dev-deployModel',
      'mlpipe-dev-deploy-model-dlq: 1 replayed, 0 failed',
    ]);
  });

  it('sends a redriven message back to its source queue, the name without -dlq', async () => {
    sqs
      .on(GetQueueUrlCommand, { QueueName: 'mlpipe-dev-retrain-dlq' })
      .resolves({ QueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/mlpipe-dev-retrain-dlq' });
    sqs
      .on(GetQueueUrlCommand, { QueueName: 'mlpipe-dev-retrain' })
      .resolves({ QueueUrl: 'https://q/retrain' });
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [{ MessageId: 'm-2', ReceiptHandle: 'r-2', Body: '{"Records":[]}' }] })
      .resolves({ Messages: [] });

    const summary = await run({ queue: 'mlpipe-dev-retrain-dlq' });

    expect(sqs).toHaveReceivedCommandWith(SendMessageCommand, {
      QueueUrl: 'https://q/retrain',
      MessageBody: '{"Records":[]}',
    });
    expect(sqs).toHaveReceivedCommandTimes(DeleteMessageCommand, 1);
    expect(summary.messages).toEqual([
      expect.objectContaining({ target: 'queue mlpipe-dev-retrain', outcome: 'replayed' }),
    ]);
  });

  it('changes nothing on a dry run, and stops when the messages come round again', async () => {
    sqs
      .on(ReceiveMessageCommand)
      .resolves({ Messages: [{ MessageId: 'm-1', ReceiptHandle: 'r-1', Body: record(event) }] });

    const summary = await run({ dryRun: true });

    expect(summary.messages).toEqual([expect.objectContaining({ outcome: 'would replay' })]);
    expect(sqs).toHaveReceivedCommandWith(ReceiveMessageCommand, { VisibilityTimeout: 0 });
    expect(lambda.calls()).toHaveLength(0);
    expect(sqs).not.toHaveReceivedCommand(DeleteMessageCommand);
  });

  it('leaves a message it cannot hand back in the queue, and reports it', async () => {
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [{ MessageId: 'm-1', ReceiptHandle: 'r-1', Body: record(event) }] })
      .resolves({ Messages: [] });
    lambda
      .on(InvokeCommand)
      .rejects(Object.assign(new Error('Function not found'), { name: 'ResourceNotFoundException' }));

    const summary = await run();

    expect(summary).toMatchObject({ replayed: 0, failed: 1 });
    expect(summary.messages[0]).toMatchObject({ outcome: 'failed', error: 'Function not found' });
    expect(sqs).not.toHaveReceivedCommand(DeleteMessageCommand);
  });

  it('reads a function ARN without its qualifier', () => {
    expect(functionOf(`${FUNCTION}:$LATEST`)).toBe(FUNCTION);
    expect(functionOf(FUNCTION)).toBe(FUNCTION);
  });
});

describe('Command: pipeline', () => {
  it('refuses a replay without a queue, and an unknown command, with the usage and exit code 2', async () => {
    const errors: string[] = [];
    const refused = async (args: string[]) =>
      main(
        args,
        () => {},
        (line) => errors.push(line),
      );
    for (const args of [
      ['replay'],
      ['replay', '--queue', 'q', '--max', '0'],
      ['frobnicate'],
      ['replay', '--bogus'],
    ])
      expect(await refused(args)).toBe(2);
    expect(errors.map((error) => error.split('\n')[0])).toEqual([
      'pipeline: replay needs --queue <name or URL of the dead-letter queue>',
      'pipeline: --max must be a whole number above 0, not 0',
      'pipeline: unknown command frobnicate',
      expect.stringMatching(/^pipeline: Unknown option '--bogus'/),
    ]);
    expect(errors.every((error) => error.includes('Usage: pnpm run pipeline <command>'))).toBe(true);
  });
});
