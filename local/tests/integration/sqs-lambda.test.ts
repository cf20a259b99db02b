// The stack's SQS and Lambda APIs with the real SDK clients: what a person or `pnpm run pipeline replay` does with a
// dead-letter queue (look into it, take a message, hand its event back to the function, delete it).
import { InvokeCommand, LambdaClient, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  QueueDoesNotExist,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { fixtureService } from '../helpers/fixtures.js';
import { eventually, startTestStack, type TestStack } from '../helpers/stack.js';

describe('SQS and Lambda APIs of the stack', () => {
  let t: TestStack;
  let sqs: SQSClient;
  let lambda: LambdaClient;

  beforeAll(async () => {
    t = await startTestStack({
      services: [fixtureService],
      env: { FIXTURE_PIPELINE_NAME: 'churn' },
      retryDelayMs: 50,
    });
    sqs = t.stack.client(SQSClient);
    lambda = t.stack.client(LambdaClient);
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('lists the declared queues and sends, receives and deletes messages', async () => {
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: 'churn-alert-inbox-local' }));
    const listed = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'churn-' }));

    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'hello' }));
    const received = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 30 }),
    );
    const hidden = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessagesNotVisible'] }),
    );
    await sqs.send(
      new DeleteMessageCommand({ QueueUrl, ReceiptHandle: received.Messages?.[0]?.ReceiptHandle }),
    );

    expect(QueueUrl).toBe(`${t.stack.endpoint}/000000000000/churn-alert-inbox-local`);
    expect(listed.QueueUrls).toContain(QueueUrl);
    expect(received.Messages?.map((message) => message.Body)).toEqual(['hello']);
    expect(hidden.Attributes?.ApproximateNumberOfMessagesNotVisible).toBe('1');
    expect(t.stack.queues.get('churn-alert-inbox-local')?.messages).toHaveLength(0);
  });

  it('answers QueueDoesNotExist for an unknown queue, as AWS does', async () => {
    await expect(sqs.send(new GetQueueUrlCommand({ QueueName: 'nope' }))).rejects.toBeInstanceOf(
      QueueDoesNotExist,
    );
  });

  it('invokes a function synchronously, reporting its error, and asynchronously', async () => {
    const ok = await lambda.send(
      new InvokeCommand({
        FunctionName: 'arn:aws:lambda:us-east-1:000000000000:function:fixture-pipeline-local-ticker:$LATEST',
        Payload: JSON.stringify({ 'detail-type': 'Scheduled Event', resources: ['r'] }),
      }),
    );
    const failed = await lambda.send(
      new InvokeCommand({
        FunctionName: 'fixture-pipeline-local-doomed',
        Payload: JSON.stringify({ id: 'x' }),
      }),
    );
    const queued = await lambda.send(
      new InvokeCommand({
        FunctionName: 'fixture-pipeline-local-ticker',
        InvocationType: 'Event',
        Payload: '{"resources":[]}',
      }),
    );

    expect(JSON.parse(new TextDecoder().decode(ok.Payload))).toEqual({
      detailType: 'Scheduled Event',
      rule: 'r',
    });
    expect(failed.FunctionError).toBe('Unhandled');
    expect(JSON.parse(new TextDecoder().decode(failed.Payload))).toMatchObject({ errorMessage: 'doomed x' });
    expect(queued.StatusCode).toBe(202);
    await eventually('two direct invocations of ticker', async () =>
      t.stack.functions.invocations.filter((call) => call.function === 'ticker' && call.trigger === 'direct')
        .length === 2
        ? true
        : undefined,
    );
  });

  it('answers ResourceNotFoundException for an unknown function', async () => {
    await expect(
      lambda.send(new InvokeCommand({ FunctionName: 'nope', Payload: '{}' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});
