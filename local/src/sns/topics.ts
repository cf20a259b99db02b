// SNS (AWS Query protocol: form-encoded `Action=...` requests, XML answers), enough for a pipeline's alerts:
// topics (from CloudFormation or CreateTopic), subscriptions of SQS queues and HTTP(S) endpoints (email ones are
// kept and listed, not sent), Publish with AWS's notification envelope, and a record of everything published
// (`GET /_local/sns`), which is what `pnpm start` and the tests read the alerts from.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AwsError, SNS_NAMESPACE as NAMESPACE, xmlEscape } from '../aws/errors.js';
import { queueNameFromArn } from '../cloudformation/properties.js';
import { readBody } from '../http-util.js';
import type { StackLogger } from '../log.js';
import type { EmulatedQueue } from '../sqs/queue.js';

const TOPIC_NAME = /^[A-Za-z0-9_-]{1,256}$/;
const PROTOCOLS = new Set(['sqs', 'http', 'https', 'email', 'email-json']);
const MAX_MESSAGE_BYTES = 256 * 1024;
const MAX_RECORDED = 5_000;

export interface Subscription {
  arn: string;
  topicArn: string;
  protocol: string;
  endpoint: string;
  rawMessageDelivery: boolean;
}

export interface Topic {
  name: string;
  arn: string;
  subscriptions: Subscription[];
}

/** A message as it was published, with where it went. */
export interface PublishedMessage {
  messageId: string;
  topicArn: string;
  subject?: string;
  message: string;
  time: string;
  deliveredTo: string[];
}

export interface SnsDeliveries {
  /** Sends a body to the stack's queue with this ARN; false when there is no such queue. */
  toQueue(queueArn: string, body: string): boolean;
}

/** Deliveries to the queues of `queues` (one region's), by their ARNs' names. */
export const deliveriesTo = (queues: ReadonlyMap<string, EmulatedQueue>): SnsDeliveries => ({
  toQueue: (queueArn, body) => {
    const queue = queues.get(queueNameFromArn(queueArn));
    queue?.send(body);
    return queue !== undefined;
  },
});

const element = (name: string, value: string): string => `<${name}>${xmlEscape(value)}</${name}>`;

export class SnsService {
  readonly topics = new Map<string, Topic>();
  readonly published: PublishedMessage[] = [];
  private readonly listeners = new Set<(message: PublishedMessage) => void>();

  constructor(
    private readonly region: string,
    private readonly account: string,
    private readonly deliveries: SnsDeliveries,
    private readonly logger: StackLogger,
  ) {}

  topicArn(name: string): string {
    return `arn:aws:sns:${this.region}:${this.account}:${name}`;
  }

  /** CreateTopic: idempotent by name, as on AWS. */
  createTopic(name: string): Topic {
    if (!TOPIC_NAME.test(name)) {
      throw new AwsError(
        'InvalidParameter',
        'Invalid parameter: Topic Name must be made up of only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long.',
      );
    }
    const arn = this.topicArn(name);
    let topic = this.topics.get(arn);
    if (!topic) {
      topic = { name, arn, subscriptions: [] };
      this.topics.set(arn, topic);
    }
    return topic;
  }

  /** DeleteTopic: its subscriptions go with it; deleting a topic that is not there is no error. */
  deleteTopic(arn: string): void {
    this.topics.delete(arn);
  }

  unsubscribe(subscriptionArn: string): void {
    for (const topic of this.topics.values())
      topic.subscriptions = topic.subscriptions.filter(
        (subscription) => subscription.arn !== subscriptionArn,
      );
  }

  subscribe(topicArn: string, protocol: string, endpoint: string, rawMessageDelivery = false): Subscription {
    const topic = this.topic(topicArn);
    if (!PROTOCOLS.has(protocol)) {
      throw new AwsError(
        'InvalidParameter',
        `Invalid parameter: Protocol (the stack serves ${[...PROTOCOLS].join(', ')})`,
      );
    }
    if (!endpoint) throw new AwsError('InvalidParameter', 'Invalid parameter: Endpoint');
    if (protocol === 'sqs' && !/^arn:aws[a-z-]*:sqs:[^:]+:\d{12}:.+$/.test(endpoint)) {
      throw new AwsError('InvalidParameter', 'Invalid parameter: SQS endpoint ARN');
    }
    if (protocol.startsWith('http') && !endpoint.startsWith(`${protocol}://`)) {
      throw new AwsError('InvalidParameter', `Invalid parameter: Endpoint must match the specified protocol`);
    }
    const existing = topic.subscriptions.find(
      (candidate) => candidate.protocol === protocol && candidate.endpoint === endpoint,
    );
    if (existing) return existing;
    const subscription: Subscription = {
      arn: `${topic.arn}:${randomUUID()}`,
      topicArn: topic.arn,
      protocol,
      endpoint,
      rawMessageDelivery,
    };
    topic.subscriptions.push(subscription);
    return subscription;
  }

  /** Publishes to every subscription of the topic; what could not be delivered is logged, as SNS retries it. */
  publish(topicArn: string, message: string, subject?: string): PublishedMessage {
    const topic = this.topic(topicArn);
    if (!message) throw new AwsError('InvalidParameter', 'Invalid parameter: Empty message');
    if (Buffer.byteLength(message) > MAX_MESSAGE_BYTES) {
      throw new AwsError('InvalidParameter', 'Invalid parameter: Message too long');
    }
    if (subject !== undefined && (subject.length > 100 || /[\r\n]/.test(subject))) {
      throw new AwsError(
        'InvalidParameter',
        'Invalid parameter: Subject must be ASCII text of at most 100 characters, without line breaks',
      );
    }
    const published: PublishedMessage = {
      messageId: randomUUID(),
      topicArn: topic.arn,
      ...(subject ? { subject } : {}),
      message,
      time: new Date().toISOString(),
      deliveredTo: [],
    };
    const envelope = JSON.stringify({
      Type: 'Notification',
      MessageId: published.messageId,
      TopicArn: topic.arn,
      ...(subject ? { Subject: subject } : {}),
      Message: message,
      Timestamp: published.time,
      SignatureVersion: '1',
      Signature: 'offline',
      SigningCertURL: `https://sns.${this.region}.amazonaws.com/offline.pem`,
      UnsubscribeURL: `https://sns.${this.region}.amazonaws.com/?Action=Unsubscribe`,
    });
    for (const subscription of topic.subscriptions) {
      const body = subscription.rawMessageDelivery ? message : envelope;
      if (subscription.protocol === 'sqs') {
        if (this.deliveries.toQueue(subscription.endpoint, body))
          published.deliveredTo.push(subscription.arn);
        else this.logger.warn('sns', `${topic.name}: no queue ${subscription.endpoint} on the stack`);
      } else if (subscription.protocol.startsWith('http')) {
        published.deliveredTo.push(subscription.arn);
        void fetch(subscription.endpoint, {
          method: 'POST',
          headers: {
            'content-type': 'text/plain; charset=UTF-8',
            'x-amz-sns-message-type': 'Notification',
            'x-amz-sns-message-id': published.messageId,
            'x-amz-sns-topic-arn': topic.arn,
            'x-amz-sns-subscription-arn': subscription.arn,
          },
          body,
          signal: AbortSignal.timeout(15_000),
        }).catch((error: Error) =>
          this.logger.warn(
            'sns',
            `${topic.name}: delivery to ${subscription.endpoint} failed: ${error.message}`,
          ),
        );
      }
    }
    this.published.push(published);
    if (this.published.length > MAX_RECORDED) this.published.splice(0, this.published.length - MAX_RECORDED);
    this.logger.info('sns', `${topic.name}: ${subject ?? message.split('\n')[0]?.slice(0, 120)}`);
    for (const listener of this.listeners) listener(published);
    return published;
  }

  /** Calls `listener` with every published message; returns the unsubscribe function. */
  onPublish(listener: (message: PublishedMessage) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  private topic(arn: string): Topic {
    const topic = this.topics.get(arn);
    if (!topic) throw new AwsError('NotFound', 'Topic does not exist', 404);
    return topic;
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL, requestId: string): Promise<void> {
    const body = (await readBody(req, 1024 * 1024)).toString('utf8');
    const params = new URLSearchParams(req.method === 'POST' ? body : url.search);
    const action = params.get('Action') ?? '';
    const required = (name: string): string => {
      const value = params.get(name);
      if (value === null) throw new AwsError('InvalidParameter', `Invalid parameter: ${name}`);
      return value;
    };
    let result: string;
    switch (action) {
      case 'CreateTopic':
        result = element('TopicArn', this.createTopic(required('Name')).arn);
        break;
      case 'ListTopics':
        result = `<Topics>${[...this.topics.values()]
          .map((topic) => `<member>${element('TopicArn', topic.arn)}</member>`)
          .join('')}</Topics>`;
        break;
      case 'DeleteTopic':
        this.deleteTopic(required('TopicArn'));
        result = '';
        break;
      case 'GetTopicAttributes': {
        const topic = this.topic(required('TopicArn'));
        const attributes: Record<string, string> = {
          TopicArn: topic.arn,
          Owner: this.account,
          DisplayName: '',
          SubscriptionsConfirmed: String(topic.subscriptions.length),
          SubscriptionsPending: '0',
          SubscriptionsDeleted: '0',
        };
        result = `<Attributes>${Object.entries(attributes)
          .map(([key, value]) => `<entry>${element('key', key)}${element('value', value)}</entry>`)
          .join('')}</Attributes>`;
        break;
      }
      case 'Subscribe': {
        const raw = [...params.entries()].some(
          ([key, value]) =>
            key.startsWith('Attributes.entry.') &&
            key.endsWith('.key') &&
            value === 'RawMessageDelivery' &&
            params.get(key.replace(/\.key$/, '.value')) === 'true',
        );
        const subscription = this.subscribe(
          required('TopicArn'),
          required('Protocol'),
          required('Endpoint'),
          raw,
        );
        result = element('SubscriptionArn', subscription.arn);
        break;
      }
      case 'Unsubscribe': {
        this.unsubscribe(required('SubscriptionArn'));
        result = '';
        break;
      }
      case 'ListSubscriptionsByTopic':
        result = `<Subscriptions>${this.topic(required('TopicArn'))
          .subscriptions.map(
            (subscription) =>
              `<member>${element('SubscriptionArn', subscription.arn)}${element('Owner', this.account)}${element(
                'Protocol',
                subscription.protocol,
              )}${element('Endpoint', subscription.endpoint)}${element('TopicArn', subscription.topicArn)}</member>`,
          )
          .join('')}</Subscriptions>`;
        break;
      case 'Publish': {
        const topicArn = params.get('TopicArn') ?? params.get('TargetArn');
        if (!topicArn) throw new AwsError('InvalidParameter', 'Invalid parameter: TopicArn or TargetArn');
        const published = this.publish(topicArn, required('Message'), params.get('Subject') ?? undefined);
        result = element('MessageId', published.messageId);
        break;
      }
      default:
        throw new AwsError(
          'InvalidAction',
          `The action ${action.slice(0, 100) || '(none)'} is not valid for this web service (the local SNS serves CreateTopic, DeleteTopic, GetTopicAttributes, ListTopics, Subscribe, Unsubscribe, ListSubscriptionsByTopic, Publish).`,
        );
    }
    const document = `<${action}Response xmlns="${NAMESPACE}">${
      result ? `<${action}Result>${result}</${action}Result>` : ''
    }<ResponseMetadata>${element('RequestId', requestId)}</ResponseMetadata></${action}Response>`;
    res.writeHead(200, {
      'content-type': 'text/xml',
      'content-length': Buffer.byteLength(document),
      'x-amzn-requestid': requestId,
    });
    res.end(document);
  }
}
