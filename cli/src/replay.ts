/**
 * Replays a dead-letter queue: every message goes back to where it failed, then leaves the queue.
 * - A stage's on-failure destination holds Lambda's record of an asynchronous event it gave up on
 *   (`requestContext.functionArn`, `requestPayload`): the event is invoked again, asynchronously, on that
 *   function (with Lambda's retries and the same destination, should it fail again).
 * - A queue's redrive target holds the queue's own messages (infra's retrain queue): each is sent back to the
 *   source queue (`--to`, else the queue's name without `-dlq`), where the function's event source reads it.
 * A message is deleted only once it was handed back; one that cannot be is left in place and reported. Every
 * stage is idempotent by derived names and tokens, so a replayed event that already took effect changes nothing.
 */
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import {
  DeleteMessageCommand,
  GetQueueUrlCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

export interface ReplayOptions {
  sqs: SQSClient;
  lambda: LambdaClient;
  /** The dead-letter queue, by name or URL. */
  queue: string;
  /** For a redrive dead-letter queue: the queue its messages go back to (default: its name without `-dlq`). */
  to?: string;
  /** Report what would be done, change nothing. */
  dryRun?: boolean;
  /** At most this many messages (default: all). */
  max?: number;
  /** A line per message and a summary. */
  log?: (line: string) => void;
}

export interface ReplayedMessage {
  messageId: string;
  /** `function <name>` or `queue <name>`. */
  target: string;
  /** What the message is: the event's detail-type, or the first characters of its body. */
  what: string;
  outcome: 'replayed' | 'would replay' | 'failed';
  error?: string;
}

export interface ReplaySummary {
  queue: string;
  replayed: number;
  failed: number;
  messages: ReplayedMessage[];
}

/** Lambda's record of an asynchronous invocation it gave up on. */
interface DestinationRecord {
  requestContext: { functionArn: string; condition?: string };
  requestPayload: unknown;
  responsePayload?: { errorType?: string; errorMessage?: string };
}

function destinationRecord(body: string): DestinationRecord | undefined {
  try {
    const parsed = JSON.parse(body) as Partial<DestinationRecord> | null;
    const arn = parsed?.requestContext?.functionArn;
    return typeof arn === 'string' && parsed && 'requestPayload' in parsed
      ? (parsed as DestinationRecord)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The function of a destination record's ARN, without its qualifier (`:$LATEST`). */
export function functionOf(functionArn: string): string {
  const parts = functionArn.split(':');
  return parts.length > 7 ? parts.slice(0, 7).join(':') : functionArn;
}

const describe = (payload: unknown, body: string): string => {
  const detailType = (payload as { 'detail-type'?: unknown } | null)?.['detail-type'];
  return typeof detailType === 'string' ? detailType : body.replace(/\s+/g, ' ').slice(0, 60);
};

const nameOf = (queue: string): string => queue.replace(/\/+$/, '').split('/').pop() ?? queue;

async function queueUrl(sqs: SQSClient, queue: string): Promise<string> {
  if (/^https?:\/\//.test(queue)) return queue;
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: queue }));
  if (!QueueUrl) throw new Error(`queue ${queue} has no URL`);
  return QueueUrl;
}

export async function replayQueue(options: ReplayOptions): Promise<ReplaySummary> {
  const { sqs, lambda, dryRun = false, log = () => {} } = options;
  const max = options.max ?? Number.POSITIVE_INFINITY;
  const url = await queueUrl(sqs, options.queue);
  const name = nameOf(url);
  const summary: ReplaySummary = { queue: name, replayed: 0, failed: 0, messages: [] };
  const seen = new Set<string>();
  let sourceUrl: string | undefined;

  const handBack = async (message: Message): Promise<ReplayedMessage> => {
    const body = message.Body ?? '';
    const messageId = message.MessageId ?? '';
    const record = destinationRecord(body);
    if (record) {
      const fn = functionOf(record.requestContext.functionArn);
      const entry = {
        messageId,
        target: `function ${fn.split(':').pop()}`,
        what: `${describe(record.requestPayload, body)}${record.responsePayload?.errorMessage ? ` (failed: ${record.responsePayload.errorMessage.slice(0, 80)})` : ''}`,
      };
      if (dryRun) return { ...entry, outcome: 'would replay' };
      const answer = await lambda.send(
        new InvokeCommand({
          FunctionName: fn,
          InvocationType: 'Event',
          Payload: JSON.stringify(record.requestPayload),
        }),
      );
      if (answer.StatusCode !== 202)
        throw new Error(`Lambda answered ${answer.StatusCode} to the invocation`);
      return { ...entry, outcome: 'replayed' };
    }
    const source = options.to ?? name.replace(/-dlq$/, '');
    if (source === name) {
      throw new Error(`not a Lambda destination record, and no queue to send it back to: pass --to <queue>`);
    }
    const entry = { messageId, target: `queue ${nameOf(source)}`, what: describe(undefined, body) };
    if (dryRun) return { ...entry, outcome: 'would replay' };
    sourceUrl ??= await queueUrl(sqs, source);
    await sqs.send(new SendMessageCommand({ QueueUrl: sourceUrl, MessageBody: body }));
    return { ...entry, outcome: 'replayed' };
  };

  while (summary.messages.length < max) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: Math.min(10, max - summary.messages.length),
        // a dry run leaves every message visible; a replay hides it while it is handed back
        VisibilityTimeout: dryRun ? 0 : 60,
        WaitTimeSeconds: 0,
      }),
    );
    const fresh = Messages.filter((message) => !seen.has(message.MessageId ?? ''));
    if (fresh.length === 0) break;
    for (const message of fresh) {
      seen.add(message.MessageId ?? '');
      let replayed: ReplayedMessage;
      try {
        replayed = await handBack(message);
        if (replayed.outcome === 'replayed') {
          await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle }));
          summary.replayed += 1;
        }
      } catch (error) {
        replayed = {
          messageId: message.MessageId ?? '',
          target: '-',
          what: describe(undefined, message.Body ?? ''),
          outcome: 'failed',
          error: (error as Error).message,
        };
        summary.failed += 1;
      }
      summary.messages.push(replayed);
      log(
        `${replayed.outcome} ${summary.messages.length}: ${replayed.what} -> ${replayed.target}${replayed.error ? `: ${replayed.error}` : ''}`,
      );
    }
  }
  log(
    summary.messages.length === 0
      ? `${name} is empty: nothing to replay`
      : `${name}: ${dryRun ? `${summary.messages.length} message(s) would be replayed` : `${summary.replayed} replayed`}, ${summary.failed} failed`,
  );
  return summary;
}
