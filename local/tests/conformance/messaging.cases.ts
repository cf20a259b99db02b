// EventBridge, SNS, SQS and Lambda, for the operations the stages (alerts), the CLI (dead-letter replay) and the
// scenario use, on the queues, topic and functions the fixture service deploys.
import { createHash } from 'node:crypto';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { PublishCommand } from '@aws-sdk/client-sns';
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { eventually } from '@sagemaker-pipeline/testing/wait';
import { type Clients, casesOf, refused } from './case.js';

/** What the fixture service deploys with FIXTURE_PIPELINE_NAME=churn. */
export const FIXTURE_ENV = { FIXTURE_PIPELINE_NAME: 'churn' };
const QUEUE = 'churn-doomed-dlq-local';
const INBOX = 'churn-alert-inbox-local';
const TOPIC = 'arn:aws:sns:us-east-1:000000000000:churn-alerts-local';
const FUNCTION = 'fixture-pipeline-local-ticker';

const queueUrl = async (c: Clients, QueueName: string) =>
  (await c.sqs.send(new GetQueueUrlCommand({ QueueName }))).QueueUrl as string;

export const eventBridgeCases = casesOf('EventBridge', [
  [
    'PutEvents',
    'an EventId per entry and FailedEntryCount 0',
    async (c) => {
      const put = await c.events.send(
        new PutEventsCommand({
          Entries: [{ Source: 'conformance', DetailType: 'check', Detail: '{"a":1}' }],
        }),
      );
      expect(put.FailedEntryCount).toBe(0);
      expect(put.Entries?.[0]?.EventId).toEqual(expect.any(String));
    },
  ],
  [
    'PutEvents',
    'a failed entry (MalformedDetail) for a Detail that is no JSON object, the others put',
    async (c) => {
      const put = await c.events.send(
        new PutEventsCommand({
          Entries: [
            { Source: 'conformance', DetailType: 'check', Detail: 'not json' },
            { Source: 'conformance', DetailType: 'check', Detail: '{}' },
          ],
        }),
      );
      expect(put.FailedEntryCount).toBe(1);
      expect(put.Entries?.[0]?.ErrorCode).toBe('MalformedDetail');
      expect(put.Entries?.[1]?.EventId).toEqual(expect.any(String));
    },
  ],
  [
    'PutEvents',
    'ValidationException (400) for no entries',
    (c) => refused(c.events.send(new PutEventsCommand({ Entries: [] })), 'ValidationException', 400),
  ],
]);

export const snsCases = casesOf('SNS', [
  [
    'Publish',
    "a MessageId; the topic's queue subscribers receive SNS's notification envelope",
    async (c) => {
      const published = await c.sns.send(
        new PublishCommand({ TopicArn: TOPIC, Subject: 'check', Message: 'hello' }),
      );
      const inbox = await queueUrl(c, INBOX);
      const message = await eventually('the notification in the inbox', async () => {
        const received = await c.sqs.send(
          new ReceiveMessageCommand({ QueueUrl: inbox, MaxNumberOfMessages: 10 }),
        );
        return received.Messages?.map((entry) => JSON.parse(entry.Body ?? '{}')).find(
          (body) => body.MessageId === published.MessageId,
        );
      });
      expect(message).toMatchObject({
        Type: 'Notification',
        TopicArn: TOPIC,
        Subject: 'check',
        Message: 'hello',
      });
    },
  ],
  [
    'Publish',
    'NotFound (404) for a topic that does not exist',
    (c) =>
      refused(
        c.sns.send(new PublishCommand({ TopicArn: `${TOPIC}-nowhere`, Message: 'x' })),
        'NotFoundException',
        404,
      ),
  ],
]);

export const sqsCases = casesOf('SQS', [
  [
    'GetQueueUrl',
    "the queue's URL; QueueDoesNotExist (400) for a queue that does not",
    async (c) => {
      expect(await queueUrl(c, QUEUE)).toBe(`${c.stack.endpoint}/000000000000/${QUEUE}`);
      await refused(c.sqs.send(new GetQueueUrlCommand({ QueueName: 'nowhere' })), 'QueueDoesNotExist', 400);
    },
  ],
  [
    'SendMessage',
    "a MessageId and the body's MD5",
    async (c) => {
      const sent = await c.sqs.send(
        new SendMessageCommand({ QueueUrl: await queueUrl(c, QUEUE), MessageBody: 'hi' }),
      );
      expect(sent.MD5OfMessageBody).toBe(createHash('md5').update('hi').digest('hex'));
      expect(sent.MessageId).toEqual(expect.any(String));
    },
  ],
  [
    'ReceiveMessage',
    'the message with a receipt handle, hidden for its visibility timeout',
    async (c) => {
      const QueueUrl = await queueUrl(c, QUEUE);
      await c.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'to receive' }));
      const received = await c.sqs.send(
        new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 30 }),
      );
      const again = await c.sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
      expect(received.Messages?.map((message) => message.Body)).toContain('to receive');
      expect(received.Messages?.[0]?.ReceiptHandle).toEqual(expect.any(String));
      expect(again.Messages?.map((message) => message.Body) ?? []).not.toContain('to receive');
    },
  ],
  [
    'GetQueueAttributes',
    'the counts asked for, as strings',
    async (c) => {
      const attributes = await c.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: await queueUrl(c, QUEUE),
          AttributeNames: ['ApproximateNumberOfMessages', 'QueueArn'],
        }),
      );
      expect(attributes.Attributes).toMatchObject({
        ApproximateNumberOfMessages: expect.stringMatching(/^\d+$/),
        QueueArn: `arn:aws:sqs:us-east-1:000000000000:${QUEUE}`,
      });
    },
  ],
  [
    'DeleteMessage',
    'the message gone for good',
    async (c) => {
      const QueueUrl = await queueUrl(c, QUEUE);
      await c.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'to delete' }));
      const message = await eventually('the message to receive', async () => {
        const received = await c.sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
        return received.Messages?.find((entry) => entry.Body === 'to delete');
      });
      await c.sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: message.ReceiptHandle }));
      const left = c.stack.queues.get(QUEUE)?.messages.map((entry) => entry.body);
      expect(left).not.toContain('to delete');
    },
  ],
]);

export const lambdaCases = casesOf('Lambda', [
  [
    'Invoke',
    "RequestResponse: 200 with the function's result and the version it ran",
    async (c) => {
      const ran = await c.lambda.send(
        new InvokeCommand({
          FunctionName: FUNCTION,
          Payload: JSON.stringify({ 'detail-type': 'Scheduled Event', resources: [] }),
        }),
      );
      expect(ran).toMatchObject({ StatusCode: 200, ExecutedVersion: '$LATEST' });
      expect(ran.FunctionError).toBeUndefined();
    },
  ],
  [
    'Invoke',
    'Event: 202, queued',
    async (c) => {
      const queued = await c.lambda.send(
        new InvokeCommand({ FunctionName: FUNCTION, InvocationType: 'Event', Payload: '{"resources":[]}' }),
      );
      expect(queued.StatusCode).toBe(202);
    },
  ],
  [
    'Invoke',
    'ResourceNotFoundException (404) for a function that does not exist',
    (c) =>
      refused(
        c.lambda.send(new InvokeCommand({ FunctionName: 'nowhere', Payload: '{}' })),
        'ResourceNotFoundException',
        404,
      ),
  ],
]);
