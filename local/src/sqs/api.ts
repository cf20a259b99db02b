// The SQS API over the stack's queues (AWS JSON 1.0, `X-Amz-Target: AmazonSQS.<Operation>`, query-compatible
// errors), enough for a person or a tool to look into a queue and act on it as on AWS: list, inspect, send,
// receive and delete, purge. This is how `pnpm run pipeline replay` reads a dead-letter queue offline.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AwsError } from '../aws/errors.js';
import { jsonObjectOf, readBody, sendJson } from '../http-util.js';
import type { EmulatedQueue } from './queue.js';

/** SQS's error codes in the JSON protocol, with the query code SDKs still read for compatibility. */
const ERRORS: Record<string, { type: string; query: string }> = {
  QueueDoesNotExist: { type: 'QueueDoesNotExist', query: 'AWS.SimpleQueueService.NonExistentQueue' },
  ReceiptHandleIsInvalid: { type: 'ReceiptHandleIsInvalid', query: 'ReceiptHandleIsInvalid' },
  InvalidParameterValue: { type: 'InvalidParameterValue', query: 'InvalidParameterValue' },
  InvalidAction: { type: 'UnsupportedOperation', query: 'AWS.SimpleQueueService.UnsupportedOperation' },
};

/** SQS errors carry `com.amazonaws.sqs#<Code>` and the query-compatible code in a header. */
export function sqsError(code: keyof typeof ERRORS, message: string): AwsError {
  const known = ERRORS[code] ?? { type: code, query: code };
  return new AwsError(`com.amazonaws.sqs#${known.type}`, message, 400, {
    queryError: `${known.query};Sender`,
  });
}

const md5 = (text: string): string => createHash('md5').update(text).digest('hex');

export class SqsApi {
  constructor(
    private readonly queues: Map<string, EmulatedQueue>,
    private readonly account: string,
    /** The stack's endpoint, the host of every queue URL. */
    private readonly endpoint: () => string,
  ) {}

  queueUrl(queue: EmulatedQueue): string {
    return `${this.endpoint()}/${this.account}/${queue.name}`;
  }

  /** The queue of a URL (any host: AWS's, LocalStack's or this stack's), by its last path segment. */
  private queueOf(input: Record<string, unknown>): EmulatedQueue {
    const url = input.QueueUrl;
    if (typeof url !== 'string' || !url) throw sqsError('InvalidParameterValue', 'QueueUrl is required');
    const name = url.replace(/\/+$/, '').split('/').pop() ?? '';
    const queue = this.queues.get(name);
    if (!queue) throw sqsError('QueueDoesNotExist', 'The specified queue does not exist.');
    return queue;
  }

  async handle(req: IncomingMessage, res: ServerResponse, _url: URL, requestId: string): Promise<void> {
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith('AmazonSQS.') ? target.slice('AmazonSQS.'.length) : '';
    const raw = (await readBody(req, 1024 * 1024)).toString('utf8');
    const input = jsonObjectOf(
      raw,
      () => new AwsError('com.amazonaws.sqs#InvalidParameterValue', 'The request body is not a JSON object'),
    );
    const output = this.run(operation, input);
    sendJson(res, 200, output, { 'x-amzn-requestid': requestId }, 'application/x-amz-json-1.0');
  }

  private run(operation: string, input: Record<string, unknown>): Record<string, unknown> {
    switch (operation) {
      case 'ListQueues': {
        const prefix = typeof input.QueueNamePrefix === 'string' ? input.QueueNamePrefix : '';
        return {
          QueueUrls: [...this.queues.values()]
            .filter((queue) => queue.name.startsWith(prefix))
            .map((queue) => this.queueUrl(queue)),
        };
      }
      case 'GetQueueUrl': {
        const queue = this.queues.get(String(input.QueueName ?? ''));
        if (!queue) throw sqsError('QueueDoesNotExist', 'The specified queue does not exist.');
        return { QueueUrl: this.queueUrl(queue) };
      }
      case 'GetQueueAttributes': {
        const queue = this.queueOf(input);
        const visible = queue.visible().length;
        return {
          Attributes: {
            QueueArn: queue.arn,
            ApproximateNumberOfMessages: String(visible),
            ApproximateNumberOfMessagesNotVisible: String(queue.messages.length - visible),
            VisibilityTimeout: String(Math.round(queue.visibilityTimeoutMs / 1000)),
            ...(queue.deadLetterQueue
              ? {
                  RedrivePolicy: JSON.stringify({
                    deadLetterTargetArn: queue.deadLetterQueue.arn,
                    maxReceiveCount: queue.maxReceiveCount,
                  }),
                }
              : {}),
          },
        };
      }
      case 'SendMessage': {
        const queue = this.queueOf(input);
        const body = input.MessageBody;
        if (typeof body !== 'string' || body === '') {
          throw sqsError('InvalidParameterValue', 'The request must contain the parameter MessageBody.');
        }
        return { MessageId: queue.send(body), MD5OfMessageBody: md5(body) };
      }
      case 'ReceiveMessage': {
        const queue = this.queueOf(input);
        const max = input.MaxNumberOfMessages === undefined ? 1 : Number(input.MaxNumberOfMessages);
        if (!Number.isInteger(max) || max < 1 || max > 10) {
          throw sqsError(
            'InvalidParameterValue',
            `Value ${String(input.MaxNumberOfMessages)} for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.`,
          );
        }
        const visibility =
          input.VisibilityTimeout === undefined ? undefined : Number(input.VisibilityTimeout) * 1000;
        const messages = queue.receive(max, visibility);
        return {
          Messages: messages.map((message) => ({
            MessageId: message.messageId,
            ReceiptHandle: message.receiptHandle,
            MD5OfBody: md5(message.body),
            Body: message.body,
            Attributes: {
              ApproximateReceiveCount: String(message.receiveCount),
              SentTimestamp: String(message.sentTimestamp),
              ApproximateFirstReceiveTimestamp: String(message.firstReceiveTimestamp ?? Date.now()),
            },
          })),
        };
      }
      case 'DeleteMessage': {
        const queue = this.queueOf(input);
        const handle = input.ReceiptHandle;
        if (typeof handle !== 'string' || !handle) {
          throw sqsError('ReceiptHandleIsInvalid', 'The input receipt handle is invalid.');
        }
        // AWS answers success for a handle whose message is already gone (deleted or received again)
        queue.deleteByReceipt(handle);
        return {};
      }
      case 'PurgeQueue': {
        const queue = this.queueOf(input);
        queue.messages.splice(0, queue.messages.length);
        return {};
      }
      default:
        throw sqsError(
          'InvalidAction',
          `The local SQS does not implement ${operation || 'this operation'} (it serves ListQueues, GetQueueUrl, GetQueueAttributes, SendMessage, ReceiveMessage, DeleteMessage, PurgeQueue).`,
        );
    }
  }
}
