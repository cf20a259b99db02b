/**
 * Alerts: one readable message per thing a human must know (a job that failed, a model the gate rejected, an
 * endpoint update that failed or rolled back, work a sweep cannot do), published to the pipeline's SNS topic
 * (`ALERT_TOPIC_ARN`, infra's `<pipeline>-alerts`), which people subscribe to by email, HTTPS or a queue. Each
 * says what happened, why, and what to do next, with the names of the resources involved. Without a topic the
 * alert is still logged, at ERROR, with the same text. A failed publish is thrown like any AWS fault, so the
 * event is retried and the alert not lost (a retry may then send it twice: alerts are at least once).
 */

import type { Logger } from '@aws-lambda-powertools/logger';
import { PublishCommand, SNSClient, type SNSClientConfig } from '@aws-sdk/client-sns';
import { DEFAULT_MAX_ATTEMPTS } from './clients.js';

export interface Alert {
  /** The pipeline, which prefixes the subject. */
  pipeline: string;
  /** A short title: what happened. */
  title: string;
  /** The facts, in a sentence or two. */
  what: string;
  /** Why it happened, as far as AWS told (a failure reason, the gate's reasons). */
  why: string;
  /** What a human can do about it. */
  next: string;
  /** The resources involved, by kind: `{ 'training job': 'mlpipe-dev-train-…' }`. */
  resources: Record<string, string | undefined>;
}

/** SNS subjects: ASCII, no line breaks, at most 100 characters. */
export function alertSubject(alert: Pick<Alert, 'pipeline' | 'title'>): string {
  const subject = `[${alert.pipeline}] ${alert.title}`
    .normalize('NFKD')
    .replace(/\s+/g, ' ')
    .replace(/[^\x20-\x7E]/g, '')
    .trim();
  return subject.length > 100 ? `${subject.slice(0, 97)}...` : subject;
}

/** The message body: plain text that reads well in an email, a chat hook or a queue. */
export function alertMessage(alert: Alert): string {
  const resources = Object.entries(alert.resources).filter(
    (entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1] !== '',
  );
  return [
    alert.what,
    '',
    `Why: ${alert.why}`,
    '',
    `What to do: ${alert.next}`,
    '',
    `Pipeline: ${alert.pipeline}`,
    ...resources.map(([kind, name]) => `${kind[0]?.toUpperCase()}${kind.slice(1)}: ${name}`),
  ].join('\n');
}

export function createSnsClient(config: SNSClientConfig = {}): SNSClient {
  return new SNSClient({ retryMode: 'adaptive', maxAttempts: DEFAULT_MAX_ATTEMPTS, ...config });
}

/** Sends alerts to the topic, or only logs them when the pipeline has none. */
export class Alerts {
  constructor(
    private readonly sns: SNSClient,
    private readonly topicArn: string | undefined,
    private readonly logger?: Logger,
  ) {}

  async publish(alert: Alert): Promise<{ subject: string; messageId?: string }> {
    const subject = alertSubject(alert);
    const message = alertMessage(alert);
    this.logger?.error(`Alert: ${subject}`, { alert: { subject, message, topic: this.topicArn ?? null } });
    if (!this.topicArn) return { subject };
    const { MessageId } = await this.sns.send(
      new PublishCommand({ TopicArn: this.topicArn, Subject: subject, Message: message }),
    );
    return { subject, ...(MessageId ? { messageId: MessageId } : {}) };
  }
}
