import type { S3SqsEvent } from '@sagemaker-pipeline/shared/events';
import { sampleEventsOf, sqsRecord as testSqsRecord } from '@sagemaker-pipeline/testing/events';

export const BUCKET = 'mlpipe-dev-000000000000-us-east-1';
export const QUEUE_ARN = 'arn:aws:sqs:us-east-1:000000000000:mlpipe-dev-retrain';

/** Reads a sample event from the package's events/ folder (the same files `serverless invoke local` uses). */
export const sampleEvent = sampleEventsOf<S3SqsEvent>(new URL('..', import.meta.url));

export interface ObjectSpec {
  /** The key as S3 puts it in the notification: URL-encoded. */
  key: string;
  size?: number;
  bucket?: string;
  eventName?: string;
  eventTime?: string;
  sequencer?: string;
}

/** An S3 notification body as S3 sends it to SQS: one record, event version 2.1. */
export function s3Body(spec: ObjectSpec): string {
  const bucket = spec.bucket ?? BUCKET;
  return JSON.stringify({
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: 'us-east-1',
        eventTime: spec.eventTime ?? '2026-11-16T10:00:00.000Z',
        eventName: spec.eventName ?? 'ObjectCreated:Put',
        userIdentity: { principalId: 'AWS:AIDAJDPLRKLG7UEXAMPLE' },
        requestParameters: { sourceIPAddress: '203.0.113.15' },
        responseElements: {
          'x-amz-request-id': 'C3D13FE58DE4C810',
          'x-amz-id-2': 'FMyUVURIY8/IgAtTv8xRjskZ',
        },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: 'retrain',
          bucket: {
            name: bucket,
            ownerIdentity: { principalId: 'A3NL1KOZZKExample' },
            arn: `arn:aws:s3:::${bucket}`,
          },
          object: {
            key: spec.key,
            size: spec.size ?? 2048,
            eTag: 'd41d8cd98f00b204e9800998ecf8427e',
            sequencer: spec.sequencer ?? '0A1B2C3D4E5F678901',
          },
        },
      },
    ],
  });
}

export const TEST_EVENT_BODY = JSON.stringify({
  Service: 'Amazon S3',
  Event: 's3:TestEvent',
  Time: '2026-11-16T09:58:00.000Z',
  Bucket: BUCKET,
  RequestId: '5582815E1AEA5ADF',
  HostId: '8cLeGAmw098X5cv4Zkwcmo8vvZa3eH3eKxsPzbB9wrR+YstdA6Knx4Ip8EXAMPLE',
});

export const sqsRecord = (messageId: string, body: string): S3SqsEvent['Records'][number] =>
  testSqsRecord(messageId, body, QUEUE_ARN);

/** An SQS batch with one message per object, message ids `<prefix>-<n>`. */
export function objectBatch(specs: readonly ObjectSpec[], idPrefix = 'msg'): S3SqsEvent {
  return { Records: specs.map((spec, index) => sqsRecord(`${idPrefix}-${index}`, s3Body(spec))) };
}
