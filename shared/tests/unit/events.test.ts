import * as v from 'valibot';
import {
  decodeS3Key,
  EcrImageActionEventSchema,
  EndpointStateChangeEventSchema,
  eventBridgeOr,
  ModelPackageStateChangeEventSchema,
  oneOfEvents,
  ProcessingJobStateChangeEventSchema,
  parseS3QueueMessage,
  S3NotificationEventSchema,
  S3SqsEventSchema,
  ScheduledEventSchema,
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
    ['scheduled-event.json', ScheduledEventSchema],
  ] as const)('parses %s', (name, schema) => {
    const result = v.safeParse(schema, fixture(name));
    expect(result.issues).toBeUndefined();
    expect(result.success).toBe(true);
  });

  it('keeps the fields a stage reads from a training job event', () => {
    const event = v.parse(TrainingJobStateChangeEventSchema, fixture('training-job-completed.json'));
    expect(event.detail.TrainingJobStatus).toBe('Completed');
    expect(event.detail.ModelArtifacts?.S3ModelArtifacts).toBe(
      's3://bucket/kmeans/output/kmeans-1/output/model.tar.gz',
    );
  });

  it('names the field when an event is malformed', () => {
    const event = fixture<{ detail: Record<string, unknown> }>('ecr-image-push.json');
    event.detail['image-digest'] = 'latest';
    const result = v.safeParse(EcrImageActionEventSchema, event);
    expect(result.success).toBe(false);
    expect(result.issues?.[0] && v.getDotPath(result.issues[0])).toBe('detail.image-digest');
  });

  it('refuses an event of another detail type', () => {
    const result = v.safeParse(EcrImageActionEventSchema, fixture('training-job-completed.json'));
    expect(result.success).toBe(false);
  });

  it('accepts S3 notifications from IPv6 clients', () => {
    const event = fixture<{ Records: { requestParameters: { sourceIPAddress: string } }[] }>(
      's3-object-created.json',
    );
    const [record] = event.Records;
    if (record) record.requestParameters.sourceIPAddress = '2001:db8::1';
    expect(v.safeParse(S3NotificationEventSchema, event).success).toBe(true);
  });
});

describe('Function: parseS3QueueMessage', () => {
  const [notification, testEvent] = v.parse(S3SqsEventSchema, fixture('sqs-s3-notifications.json')).Records;

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

      const result = v.safeParse(schema, event);

      expect(result.success).toBe(false);
      expect(result.issues?.map((issue) => v.getDotPath(issue))).toContain(`detail.${field}`);
    }
  });
});

describe('Schemas: JSON shapes', () => {
  it('refuses an array where an object belongs, even one whose fields are all optional, naming it', () => {
    for (const value of [[], [{ TrainingImage: 'x' }]]) {
      const event = fixture<{ detail: Record<string, unknown> }>('training-job-completed.json');
      event.detail.AlgorithmSpecification = value;

      const result = v.safeParse(TrainingJobStateChangeEventSchema, event);

      expect(result.issues?.map((issue) => `${v.getDotPath(issue)}: ${issue.message}`)).toEqual([
        'detail.AlgorithmSpecification: must be an object, received an array',
      ]);
    }
  });

  it('refuses an event that is an array, at the event itself', () => {
    const result = v.safeParse(EcrImageActionEventSchema, [fixture('ecr-image-push.json')]);

    expect(result.issues?.map((issue) => [v.getDotPath(issue), issue.message])).toEqual([
      [null, 'must be an object, received an array'],
    ]);
  });

  it.each(['2026-11-16T01:54:34+01:00', '2026-11-16 01:54:34Z', '2026-13-01T00:00:00Z', '2026-11-16'])(
    'refuses the event time %s: AWS writes UTC ISO 8601 with Z',
    (time) => {
      const event = fixture<Record<string, unknown>>('ecr-image-push.json');
      event.time = time;

      const result = v.safeParse(EcrImageActionEventSchema, event);

      expect(result.issues?.map((issue) => v.getDotPath(issue))).toEqual(['time']);
    },
  );

  it('accepts event times with and without fractions of a second', () => {
    for (const time of ['2026-11-16T01:54:34Z', '2026-11-16T01:54:34.123Z']) {
      const event = fixture<Record<string, unknown>>('ecr-image-push.json');
      event.time = time;
      expect(v.safeParse(EcrImageActionEventSchema, event).success).toBe(true);
    }
  });
});

type Json = Record<string | number, unknown>;

/** The fixture with `value` at a dot path (`detail.ProcessingOutputConfig.Outputs.0.S3Output`). */
function withValueAt(name: string, path: string, value: unknown): Json {
  const event = fixture<Json>(name);
  const keys = path.split('.');
  const parent = keys.slice(0, -1).reduce((node, key) => node[key] as Json, event);
  parent[keys[keys.length - 1] as string] = value;
  return event;
}

const valueAt = (node: unknown, path: string) =>
  path.split('.').reduce<unknown>((value, key) => (value as Json | undefined)?.[key], node);

const SCHEMAS = {
  ecr: [EcrImageActionEventSchema, 'ecr-image-push.json'],
  training: [TrainingJobStateChangeEventSchema, 'training-job-completed.json'],
  processing: [ProcessingJobStateChangeEventSchema, 'processing-job-completed.json'],
  'model package': [ModelPackageStateChangeEventSchema, 'model-package-state-change.json'],
  endpoint: [EndpointStateChangeEventSchema, 'endpoint-in-service.json'],
} as const;

/** What the schema of `kind` makes of its sample event with null at `path`. */
const parsedWithNullAt = (kind: keyof typeof SCHEMAS, path: string) => {
  const [schema, name] = SCHEMAS[kind];
  return v.safeParse(schema as v.GenericSchema, withValueAt(name, path, null));
};

describe('Schemas: optional fields that are null', () => {
  it.each([
    ['ecr', 'replay-name'],
    ['ecr', 'detail.image-tag'],
    ['training', 'detail.SecondaryStatus'],
    ['training', 'detail.FailureReason'],
    ['training', 'detail.ModelArtifacts'],
    ['training', 'detail.AlgorithmSpecification'],
    ['training', 'detail.AlgorithmSpecification.TrainingImage'],
    ['training', 'detail.CreationTime'],
    ['training', 'detail.TrainingEndTime'],
    ['training', 'detail.Tags'],
    ['processing', 'detail.FailureReason'],
    ['processing', 'detail.ExitMessage'],
    ['processing', 'detail.ProcessingOutputConfig'],
    ['processing', 'detail.ProcessingOutputConfig.Outputs.0.S3Output'],
    ['processing', 'detail.ProcessingOutputConfig.Outputs.0.S3Output.LocalPath'],
    ['processing', 'detail.Tags'],
    ['model package', 'detail.ModelPackageVersion'],
    ['model package', 'detail.ModelPackageStatus'],
    ['model package', 'detail.CreationTime'],
    ['endpoint', 'detail.EndpointArn'],
    ['endpoint', 'detail.EndpointConfigName'],
    ['endpoint', 'detail.FailureReason'],
  ] as const)('accepts a %s event whose optional %s is null, and reads it as absent', (kind, path) => {
    // Act
    const result = parsedWithNullAt(kind, path);

    // Assess
    expect(result.issues).toBeUndefined();
    expect(valueAt(result.output, path)).toBeUndefined();
  });

  it('parses a failed training job event whose optional fields are all null', () => {
    // Prepare
    const event = fixture<{ detail: Json }>('training-job-completed.json');
    Object.assign(event.detail, {
      TrainingJobStatus: 'Failed',
      SecondaryStatus: null,
      FailureReason: null,
      ModelArtifacts: null,
      AlgorithmSpecification: null,
      CreationTime: null,
      TrainingEndTime: null,
      Tags: null,
    });

    // Act
    const parsed = v.parse(TrainingJobStateChangeEventSchema, event);

    // Assess
    expect(parsed.detail).toMatchObject({ TrainingJobName: 'kmeans-1', TrainingJobStatus: 'Failed' });
    expect(parsed.detail.FailureReason).toBeUndefined();
    expect(parsed.detail.TrainingEndTime).toBeUndefined();
    expect(parsed.detail.Tags).toBeUndefined();
  });

  it('still refuses a value of the wrong type in an optional field, naming it', () => {
    const event = withValueAt('training-job-completed.json', 'detail.FailureReason', 42);

    const result = v.safeParse(TrainingJobStateChangeEventSchema, event);

    expect(result.issues?.map((issue) => v.getDotPath(issue))).toEqual(['detail.FailureReason']);
  });
});

describe('Schemas: required fields that are null', () => {
  it.each([
    ['ecr', 'id'],
    ['ecr', 'time'],
    ['ecr', 'source'],
    ['ecr', 'detail-type'],
    ['ecr', 'detail'],
    ['ecr', 'detail.action-type'],
    ['ecr', 'detail.result'],
    ['ecr', 'detail.repository-name'],
    ['ecr', 'detail.image-digest'],
    ['training', 'detail.TrainingJobName'],
    ['training', 'detail.TrainingJobArn'],
    ['training', 'detail.TrainingJobStatus'],
    ['training', 'detail.ModelArtifacts.S3ModelArtifacts'],
    ['processing', 'detail.ProcessingJobName'],
    ['processing', 'detail.ProcessingJobArn'],
    ['processing', 'detail.ProcessingJobStatus'],
    ['processing', 'detail.ProcessingOutputConfig.Outputs'],
    ['processing', 'detail.ProcessingOutputConfig.Outputs.0.OutputName'],
    ['processing', 'detail.ProcessingOutputConfig.Outputs.0.S3Output.S3Uri'],
    ['model package', 'detail.ModelPackageGroupName'],
    ['model package', 'detail.ModelPackageArn'],
    ['model package', 'detail.ModelApprovalStatus'],
    ['endpoint', 'detail.EndpointName'],
    ['endpoint', 'detail.EndpointStatus'],
  ] as const)('refuses a %s event whose required %s is null, naming it', (kind, path) => {
    // Act
    const result = parsedWithNullAt(kind, path);

    // Assess
    expect(result.success).toBe(false);
    expect(result.issues?.map((issue) => v.getDotPath(issue))).toContain(path);
  });
});

describe('Schemas: ECR actions and results', () => {
  it.each([
    ['action-type', 'UPDATE_STORAGE_CLASS'],
    ['action-type', 'REPLICATE'],
    ['result', 'IN_PROGRESS'],
  ] as const)('accepts the %s %s, not known today, for the stage to skip', (field, value) => {
    const event = withValueAt('ecr-image-push.json', `detail.${field}`, value);

    const parsed = v.parse(EcrImageActionEventSchema, event);

    expect(parsed.detail[field]).toBe(value);
  });

  it.each(['action-type', 'result'])('refuses an ECR %s that is missing or empty, naming it', (field) => {
    for (const value of [undefined, '']) {
      const event = fixture<{ detail: Json }>('ecr-image-push.json');
      if (value === undefined) delete event.detail[field];
      else event.detail[field] = value;

      const result = v.safeParse(EcrImageActionEventSchema, event);

      expect(result.issues?.map((issue) => v.getDotPath(issue))).toEqual([`detail.${field}`]);
    }
  });
});

const scheduled = fixture<Record<string, unknown>>('scheduled-event.json');
/** Where each issue of parsing `input` is, `(event)` for the event itself. */
const issuePaths = (schema: v.GenericSchema, input: unknown) =>
  v.safeParse(schema, input).issues?.map((issue) => v.getDotPath(issue) ?? '(event)');

describe('Function: oneOfEvents', () => {
  const schema = oneOfEvents([TrainingJobStateChangeEventSchema, ScheduledEventSchema]);
  const paths = (input: unknown) => issuePaths(schema, input);

  it('parses each kind with its own schema', () => {
    expect(v.parse(schema, fixture('training-job-completed.json')).detail).toMatchObject({
      TrainingJobStatus: 'Completed',
    });
    expect(v.parse(schema, scheduled)['detail-type']).toBe('Scheduled Event');
  });

  it('names the field of the kind its detail-type chose, or the detail-type it does not know', () => {
    const training = fixture<{ detail: Record<string, unknown> }>('training-job-completed.json');
    delete training.detail.TrainingJobName;

    expect(paths(training)).toEqual(['detail.TrainingJobName']);
    expect(paths({ ...scheduled, source: 'aws.sagemaker' })).toEqual(['source']);
    expect(paths({ ...scheduled, 'detail-type': 'Object Created' })).toEqual(['detail-type']);
  });

  it('refuses an event that is an array or a string at the event itself, not at its detail-type', () => {
    expect(paths([scheduled])).toEqual(['(event)']);
    expect(paths(JSON.stringify(scheduled))).toEqual(['(event)']);
    expect(v.safeParse(schema, [scheduled]).issues?.[0]?.message).toBe(
      'must be an object, received an array',
    );
  });
});

describe('Function: eventBridgeOr', () => {
  const schema = eventBridgeOr(ScheduledEventSchema, S3SqsEventSchema);
  const paths = (input: unknown) => issuePaths(schema, input);

  it('parses an EventBridge event with its schema and anything else with the other', () => {
    expect(v.parse(schema, scheduled)).toMatchObject({ 'detail-type': 'Scheduled Event' });
    expect(v.parse(schema, fixture('sqs-s3-notifications.json'))).toHaveProperty('Records');
  });

  it('names the fields of the kind the input has the shape of', () => {
    expect(paths({ ...scheduled, 'detail-type': 'Object Created' })).toEqual(['detail-type']);
    expect(paths({})).toEqual(['Records']);
    expect(paths([scheduled])).toEqual(['(event)']);
  });
});
