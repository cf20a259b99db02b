// SNS on the stack, driven with the real SDK client (AWS Query protocol): topics, subscriptions of the stack's
// queues and of an HTTP endpoint, Publish with AWS's notification envelope, and AWS's errors.
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateTopicCommand,
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  ListTopicsCommand,
  NotFoundException,
  PublishCommand,
  SNSClient,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import { fixtureService } from '../helpers/fixtures.js';
import { eventually, startTestStack, type TestStack } from '../helpers/stack.js';

describe('SNS: topics, subscriptions and Publish', () => {
  let t: TestStack;
  let sns: SNSClient;
  let inbox: http.Server;
  const received: { headers: http.IncomingHttpHeaders; body: string }[] = [];

  beforeAll(async () => {
    t = await startTestStack({ services: [fixtureService], env: { FIXTURE_PIPELINE_NAME: 'churn' } });
    sns = new SNSClient(t.stack.clientConfig);
    inbox = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.end();
      });
    });
    inbox.listen(0, '127.0.0.1');
    await once(inbox, 'listening');
  });
  afterAll(async () => {
    sns?.destroy();
    inbox?.close();
    await t?.stop();
  });

  it('has the topics of the services, and CreateTopic is idempotent by name', async () => {
    const created = await sns.send(new CreateTopicCommand({ Name: 'churn-alerts-local' }));
    const topics = await sns.send(new ListTopicsCommand({}));

    expect(created.TopicArn).toBe('arn:aws:sns:us-east-1:000000000000:churn-alerts-local');
    expect(topics.Topics).toEqual([{ TopicArn: created.TopicArn }]);
    const attributes = await sns.send(new GetTopicAttributesCommand({ TopicArn: created.TopicArn }));
    expect(attributes.Attributes).toMatchObject({ TopicArn: created.TopicArn, Owner: '000000000000' });
  });

  it('publishes to the queue and HTTP subscriptions with the notification envelope, and records it', async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'ops' }));
    const url = `http://127.0.0.1:${(inbox.address() as AddressInfo).port}/alerts`;
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'http', Endpoint: url }));
    await sns.send(
      new SubscribeCommand({
        TopicArn,
        Protocol: 'sqs',
        Endpoint: 'arn:aws:sqs:us-east-1:000000000000:churn-alert-inbox-local',
        Attributes: { RawMessageDelivery: 'true' },
      }),
    );

    const { MessageId } = await sns.send(
      new PublishCommand({ TopicArn, Subject: 'Training failed', Message: 'job x failed: <reason> & more' }),
    );

    const [delivered] = await eventually('the delivery to the subscriber', async () =>
      received.length ? received : undefined,
    );
    expect(delivered?.headers['x-amz-sns-message-type']).toBe('Notification');
    expect(JSON.parse(delivered?.body ?? '{}')).toMatchObject({
      Type: 'Notification',
      MessageId,
      TopicArn,
      Subject: 'Training failed',
      Message: 'job x failed: <reason> & more',
    });
    const queue = t.stack.queues.get('churn-alert-inbox-local');
    expect(queue?.messages.map((message) => message.body)).toContain('job x failed: <reason> & more');
    expect(t.stack.sns.published.at(-1)).toMatchObject({ messageId: MessageId, subject: 'Training failed' });
    const listed = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }));
    expect(listed.Subscriptions?.map((s) => s.Protocol).sort()).toEqual(['http', 'sqs']);
    const local = (await (await fetch(`${t.stack.endpoint}/_local/sns`)).json()) as {
      published: { messageId: string }[];
    };
    expect(local.published.map((message) => message.messageId)).toContain(MessageId);
  });

  it('answers NotFound for an unknown topic and InvalidParameter for a bad subscription, as AWS does', async () => {
    const unknown = await sns
      .send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:000000000000:nope', Message: 'x' }))
      .catch((error: unknown) => error);
    const badQueue = await sns
      .send(
        new SubscribeCommand({
          TopicArn: 'arn:aws:sns:us-east-1:000000000000:churn-alerts-local',
          Protocol: 'sqs',
          Endpoint: 'not-an-arn',
        }),
      )
      .catch((error: unknown) => error);

    expect(unknown).toBeInstanceOf(NotFoundException);
    expect(badQueue).toMatchObject({ name: 'InvalidParameterException' });
  });
});
