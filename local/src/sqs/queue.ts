// An emulated SQS queue and Lambda's SQS event source mapping: batches of up to `batchSize` messages, sent when
// the batch is full or the batching window (scaled down locally) has passed; records shaped like real SQS
// events; failed messages (an error, or `batchItemFailures` with ReportBatchItemFailures) become visible again
// after the visibility timeout, and go to a dead-letter list after maxReceiveCount receives.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { StackLogger } from '../log.js';

interface Message {
  messageId: string;
  receiptHandle: string;
  body: string;
  sentTimestamp: number;
  firstReceiveTimestamp?: number;
  receiveCount: number;
  visibleAt: number;
}

/** Bounded even without a redrive policy, so a poison message cannot loop for ever. */
const DEFAULT_MAX_RECEIVE_COUNT = 10;

export class EmulatedQueue {
  readonly messages: Message[] = [];
  readonly deadLetters: { body: string; receiveCount: number }[] = [];
  /** The redrive policy's dead-letter queue: a message received maxReceiveCount times moves there. */
  deadLetterQueue?: EmulatedQueue;
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly name: string,
    readonly arn: string,
    /** Changed by an update of its template (SetQueueAttributes on AWS). */
    public visibilityTimeoutMs: number,
    public maxReceiveCount = DEFAULT_MAX_RECEIVE_COUNT,
  ) {}

  onMessage(listener: () => void): void {
    this.listeners.add(listener);
  }

  send(body: string): string {
    const message: Message = {
      messageId: randomUUID(),
      receiptHandle: '',
      body,
      sentTimestamp: Date.now(),
      receiveCount: 0,
      visibleAt: Date.now(),
    };
    this.messages.push(message);
    for (const listener of this.listeners) listener();
    return message.messageId;
  }

  visible(now = Date.now()): Message[] {
    return this.messages.filter((message) => message.visibleAt <= now);
  }

  nextVisibleAt(): number | undefined {
    const times = this.messages.map((message) => message.visibleAt);
    return times.length ? Math.min(...times) : undefined;
  }

  /** Receives up to `max` visible messages, hidden for `visibilityTimeoutMs` (the queue's by default). */
  receive(max: number, visibilityTimeoutMs = this.visibilityTimeoutMs): Message[] {
    const now = Date.now();
    const batch: Message[] = [];
    for (const message of this.visible(now)) {
      if (batch.length >= max) break;
      if (message.receiveCount >= this.maxReceiveCount) {
        this.delete(message);
        this.deadLetters.push({ body: message.body, receiveCount: message.receiveCount });
        this.deadLetterQueue?.send(message.body);
        continue;
      }
      message.receiveCount += 1;
      message.firstReceiveTimestamp ??= now;
      message.receiptHandle = randomBytes(48).toString('base64');
      message.visibleAt = now + visibilityTimeoutMs;
      batch.push(message);
    }
    return batch;
  }

  /** Deletes the message that this receipt handle was given for; false when none (deleted, or received again). */
  deleteByReceipt(receiptHandle: string): boolean {
    const message = this.messages.find((candidate) => candidate.receiptHandle === receiptHandle);
    if (message) this.delete(message);
    return message !== undefined;
  }

  delete(message: Message): void {
    const index = this.messages.indexOf(message);
    if (index >= 0) this.messages.splice(index, 1);
  }
}

export type SqsInvoker = (
  event: { Records: Record<string, unknown>[] },
  eventId: string,
) => Promise<{ ok: true; value: unknown } | { ok: false }>;

export class EventSourceMapping {
  private timer?: NodeJS.Timeout;
  private inFlight = false;
  private firstSeenAt?: number;
  private stopped = false;

  constructor(
    private readonly queue: EmulatedQueue,
    private readonly invoke: SqsInvoker,
    private readonly options: {
      batchSize: number;
      windowMs: number;
      reportBatchItemFailures: boolean;
      region: string;
    },
    private readonly logger: StackLogger,
  ) {
    queue.onMessage(() => this.schedule());
    // messages sent before the mapping existed (S3's test event) are polled too
    setImmediate(() => this.schedule());
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(delay?: number): void {
    if (this.stopped || this.inFlight) return;
    const now = Date.now();
    const visible = this.queue.visible(now).length;
    if (visible === 0) {
      this.firstSeenAt = undefined;
      const next = this.queue.nextVisibleAt();
      if (next !== undefined) this.arm(next - now);
      return;
    }
    this.firstSeenAt ??= now;
    const waited = now - this.firstSeenAt;
    if (visible >= this.options.batchSize || waited >= this.options.windowMs) {
      void this.poll();
      return;
    }
    this.arm(delay ?? this.options.windowMs - waited);
  }

  private arm(delay: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.schedule();
      },
      Math.max(0, delay),
    );
  }

  private async poll(): Promise<void> {
    this.inFlight = true;
    this.firstSeenAt = undefined;
    try {
      const batch = this.queue.receive(this.options.batchSize);
      if (batch.length === 0) return;
      const records = batch.map((message) => ({
        messageId: message.messageId,
        receiptHandle: message.receiptHandle,
        body: message.body,
        attributes: {
          ApproximateReceiveCount: String(message.receiveCount),
          SentTimestamp: String(message.sentTimestamp),
          SenderId: 'AROALOCALS3NOTIFICATIONS:S3-PROD-END',
          ApproximateFirstReceiveTimestamp: String(message.firstReceiveTimestamp ?? Date.now()),
        },
        messageAttributes: {},
        md5OfBody: createHash('md5').update(message.body).digest('hex'),
        eventSource: 'aws:sqs',
        eventSourceARN: this.queue.arn,
        awsRegion: this.options.region,
      }));
      const result = await this.invoke(
        { Records: records },
        batch.map((message) => message.messageId).join(','),
      );
      if (!result.ok) return; // every message comes back after the visibility timeout
      let failed = new Set<string>();
      if (this.options.reportBatchItemFailures) {
        const failures = (result.value as { batchItemFailures?: { itemIdentifier?: unknown }[] } | null)
          ?.batchItemFailures;
        if (Array.isArray(failures)) {
          const ids = failures.map((failure) => failure.itemIdentifier);
          const known = new Set(batch.map((message) => message.messageId));
          // Lambda treats an empty or unknown itemIdentifier as a failure of the whole batch
          failed = ids.every((id) => typeof id === 'string' && known.has(id))
            ? new Set(ids as string[])
            : known;
        }
      }
      for (const message of batch) if (!failed.has(message.messageId)) this.queue.delete(message);
      if (failed.size)
        this.logger.info(
          'sqs',
          `${this.queue.name}: ${failed.size} message(s) to retry after the visibility timeout`,
        );
    } finally {
      this.inFlight = false;
      this.schedule();
    }
  }
}
