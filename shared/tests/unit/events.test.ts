import {
  decodeS3Key,
  EcrImageActionEventSchema,
  EndpointStateChangeEventSchema,
  ModelPackageStateChangeEventSchema,
  ProcessingJobStateChangeEventSchema,
  parseS3QueueMessage,
  S3NotificationEventSchema,
  S3SqsEventSchema,
  TrainingJobStateChangeEventSchema,
} from '../../src/events.js';
import { fixture } from '../fixtures.js';

describe('Schemas: AWS sample payloads', () => {
  it.each([
    ['ecr-image-push.json', EcrImageActionEventSchema],
    ['training-job-completed.json', TrainingJobStateChangeEventSchema],
    ['processing-job-completed.json', ProcessingJobStateChangeEventSchema],
    ['model-package-state-change.json', ModelPackageStateChangeEventSchema],
    ['endpoint-in-service.json', EndpointStateChangeEventSchema],
    ['s3-object-created.json', S3NotificationEventSchema],
    ['sqs-s3-notifications.json', S3SqsEventSchema],
  ] as const)('parses %s', (name, schema) => {
    const result = schema.safeParse(fixture(name));
    expect(result.error?.issues).toBeUndefined();
    expect(result.success).toBe(true);
  });

  it('keeps the fields a stage reads from a training job event', () => {
    const event = TrainingJobStateChangeEventSchema.parse(fixture('training-job-completed.json'));
    expect(event.detail.TrainingJobStatus).toBe('Completed');
    expect(event.detail.ModelArtifacts?.S3ModelArtifacts).toBe(
      's3://bucket/kmeans/output/kmeans-1/output/model.tar.gz',
    );
  });

  it('names the field when an event is malformed', () => {
    const event = fixture<{ detail: Record<string, unknown> }>('ecr-image-push.json');
    event.detail['image-digest'] = 'latest';
    const result = EcrImageActionEventSchema.safeParse(event);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['detail', 'image-digest']);
  });

  it('refuses an event of another detail type', () => {
    const result = EcrImageActionEventSchema.safeParse(fixture('training-job-completed.json'));
    expect(result.success).toBe(false);
  });

  it('accepts S3 notifications from IPv6 clients', () => {
    const event = fixture<{ Records: { requestParameters: { sourceIPAddress: string } }[] }>(
      's3-object-created.json',
    );
    const [record] = event.Records;
    if (record) record.requestParameters.sourceIPAddress = '2001:db8::1';
    expect(S3NotificationEventSchema.safeParse(event).success).toBe(true);
  });
});

describe('Function: parseS3QueueMessage', () => {
  const [notification, testEvent] = S3SqsEventSchema.parse(fixture('sqs-s3-notifications.json')).Records;

  it('parses an S3 notification body', () => {
    const message = parseS3QueueMessage(notification?.body ?? '');
    if (message.type !== 'notification') throw new Error('expected an S3 notification');
    expect(message.event.Records[0]?.s3.object.key).toBe('training-data/new+batch/caf%C3%A9+%2B1.csv');
  });

  it('recognises the s3:TestEvent message', () => {
    const message = parseS3QueueMessage(testEvent?.body ?? '');
    expect(message).toMatchObject({ type: 'test', event: { Event: 's3:TestEvent' } });
  });

  it('throws on a body that is not JSON or not an S3 message', () => {
    expect(() => parseS3QueueMessage('not json')).toThrow('SQS message body is not JSON');
    expect(() => parseS3QueueMessage('{"hello":"world"}')).toThrow();
  });
});

describe('Function: decodeS3Key', () => {
  it.each([
    ['training-data/a+b%2Bc.csv', 'training-data/a b+c.csv'],
    ['training-data/new+batch/caf%C3%A9+%2B1.csv', 'training-data/new batch/café +1.csv'],
    ['training-data/100%25.csv', 'training-data/100%.csv'],
    ['training-data/%E6%95%B0%E6%8D%AE.csv', 'training-data/数据.csv'],
  ])('decodes %s', (encoded, decoded) => {
    expect(decodeS3Key(encoded)).toBe(decoded);
  });
});

describe('Schemas: SageMaker job names', () => {
  it.each([
    ['TrainingJobName', TrainingJobStateChangeEventSchema, 'training-job-completed.json'],
    ['ProcessingJobName', ProcessingJobStateChangeEventSchema, 'processing-job-completed.json'],
  ] as const)('refuses a %s that breaks SageMaker pattern, naming the field', (field, schema, name) => {
    for (const jobName of [
      'mlpipe-dev-train-../../x y',
      'mlpipe-dev-eval-🚀',
      '-mlpipe-dev-eval-1',
      'a-',
      `a${'-'.repeat(70)}b`,
    ]) {
      const event = fixture<{ detail: Record<string, unknown> }>(name);
      event.detail[field] = jobName;

      const result = schema.safeParse(event);

      expect(result.success).toBe(false);
      expect(result.error?.issues.map((issue) => issue.path.join('.'))).toContain(`detail.${field}`);
    }
  });
});
