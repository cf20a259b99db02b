/**
 * The sample events of a stage: the files of its `events/` folder, which `serverless invoke local` and the tests
 * both use.
 */
import { readFileSync } from 'node:fs';

/** A reader of the sample events in `<packageDir>/events/`; `D` is the type an event has unless said otherwise. */
export function sampleEventsOf<D = Record<string, unknown>>(packageDir: URL): <T = D>(name: string) => T {
  return <T = D>(name: string): T =>
    JSON.parse(readFileSync(new URL(`events/${name}`, packageDir), 'utf8')) as T;
}

/**
 * One record of an SQS batch as Lambda's event source mapping delivers it: `body` from the queue `queueArn`,
 * received once. The shape of AWS's sample event; the attributes are fixed so a test can compare whole events.
 */
export function sqsRecord(messageId: string, body: string, queueArn: string) {
  return {
    messageId,
    receiptHandle: `AQEB${messageId}Example==`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1794823200000',
      SenderId: 'AROAIDPPEZS35WEXAMPLE:S3-PROD-END',
      ApproximateFirstReceiveTimestamp: '1794823261000',
    },
    messageAttributes: {},
    md5OfBody: 'e4e68fb7bd0e697a0ae8f1bb342846b3',
    eventSource: 'aws:sqs' as const,
    eventSourceARN: queueArn,
    awsRegion: queueArn.split(':')[3] ?? '',
  };
}

/**
 * The detail fields SageMaker may send as `null` in its training job state change event (a job that has not
 * reached a step yet, or has no tags): every stage must accept them, and the bad-input suites send them.
 */
export const NULLABLE_DETAIL_FIELDS = {
  trainingJob: [
    'SecondaryStatus',
    'FailureReason',
    'ModelArtifacts',
    'AlgorithmSpecification',
    'CreationTime',
    'TrainingEndTime',
    'Tags',
  ],
} as const;
