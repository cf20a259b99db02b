/**
 * EventBridge events: the envelope, a valid event of each source the stages act on (ECR pushes, training
 * and processing job and model package state changes), events of other services, and the cases built from a
 * stage's spec (its envelope, detail and the fields it reads).
 */
import fc, { type Arbitrary } from 'fast-check';
import {
  applyMutation,
  extraField,
  type Mutation,
  missing,
  mistyped,
  notIsoDateTime,
  nullOptional,
  nullRequired,
  otherWord,
  pathName,
  setTo,
} from './mutations.js';
import {
  ACCOUNT,
  type BadEvent,
  BUCKET,
  hexString,
  IMAGE,
  nastyString,
  nonObject,
  PIPELINE,
  REGION,
  stringKinds,
  TRAINING_PREFIX,
  valueNotOf,
} from './values.js';

export const ENVELOPE_FIELDS = [
  'version',
  'id',
  'source',
  'account',
  'time',
  'region',
  'resources',
  'detail-type',
];

export const isoTime = fc
  .date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2035-01-01T00:00:00Z'), noInvalidDate: true })
  .map((date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z'));
const epochMillis = fc.integer({ min: 1_577_836_800_000, max: 2_051_222_400_000 });

export interface Envelope extends Record<string, unknown> {
  detail: Record<string, unknown>;
}

export function envelope(
  source: string,
  detailType: string,
  detail: Arbitrary<Record<string, unknown>>,
  resources: (detail: Record<string, unknown>) => string[] = () => [],
): Arbitrary<Envelope> {
  return fc.record({ id: fc.uuid(), time: isoTime, detail }).map(({ id, time, detail }) => ({
    version: '0',
    id,
    'detail-type': detailType,
    source,
    account: ACCOUNT,
    time,
    region: REGION,
    resources: resources(detail),
    detail,
  }));
}

const digest = hexString(64).map((hex) => `sha256:${hex}`);
export const ourJob = (kind: string) => hexString(12).map((hash) => `${PIPELINE}-${kind}-${hash}`);
const sagemakerArn = (type: string, name: string) => `arn:aws:sagemaker:${REGION}:${ACCOUNT}:${type}/${name}`;

/** `ECR Image Action`: a successful push of an image to the pipeline's repository (valid for trigger-training). */
export const ecrImageAction: Arbitrary<Envelope> = envelope(
  'aws.ecr',
  'ECR Image Action',
  fc.record(
    {
      result: fc.constant('SUCCESS'),
      'repository-name': fc.constant(PIPELINE),
      'image-digest': digest,
      'action-type': fc.constant('PUSH'),
      'image-tag': fc.constantFrom('latest', 'v1', '2026-11-16'),
    },
    { requiredKeys: ['result', 'repository-name', 'image-digest', 'action-type'] },
  ),
);

/** `SageMaker Training Job State Change` of a finished pipeline job (valid for evaluate-model). */
export const trainingJobStateChange: Arbitrary<Envelope> = envelope(
  'aws.sagemaker',
  'SageMaker Training Job State Change',
  fc
    .record({
      name: fc.oneof(ourJob('train'), ourJob('retrain')),
      status: fc.constantFrom('Completed', 'Failed', 'Stopped'),
      digest,
      created: epochMillis,
    })
    .map(({ name, status, digest, created }) => ({
      TrainingJobName: name,
      TrainingJobArn: sagemakerArn('training-job', name),
      TrainingJobStatus: status,
      SecondaryStatus: status,
      ...(status === 'Completed' ? {} : { FailureReason: 'AlgorithmError: exit code 1' }),
      HyperParameters: {},
      AlgorithmSpecification: { TrainingImage: `${IMAGE}@${digest}`, TrainingInputMode: 'File' },
      ModelArtifacts: { S3ModelArtifacts: `s3://${BUCKET}/models/${name}/output/model.tar.gz` },
      CreationTime: created,
      TrainingEndTime: created + 300_000,
      Tags: { pipeline: PIPELINE, stage: 'trigger-training', 'image-digest': digest },
    })),
  (detail) => [String(detail.TrainingJobArn)],
);

/** `SageMaker Processing Job State Change` of a finished pipeline evaluation (valid for register-model). */
export const processingJobStateChange: Arbitrary<Envelope> = envelope(
  'aws.sagemaker',
  'SageMaker Processing Job State Change',
  fc
    .record({
      name: ourJob('eval'),
      trainingJob: ourJob('train'),
      status: fc.constantFrom('Completed', 'Failed', 'Stopped'),
      digest,
      listTags: fc.boolean(),
    })
    .map(({ name, trainingJob, status, digest, listTags }) => {
      const model = `s3://${BUCKET}/models/${trainingJob}/output/model.tar.gz`;
      const tags = { pipeline: PIPELINE, stage: 'evaluate-model', 'training-job': trainingJob };
      return {
        ProcessingJobName: name,
        ProcessingJobArn: sagemakerArn('processing-job', name),
        ProcessingJobStatus: status,
        ...(status === 'Completed' ? {} : { FailureReason: 'AlgorithmError: exit code 1', ExitMessage: 'x' }),
        ProcessingInputs: [
          { InputName: 'model', S3Input: { S3Uri: model, LocalPath: '/opt/ml/processing/model' } },
        ],
        ProcessingOutputConfig: {
          Outputs: [
            {
              OutputName: 'evaluation',
              S3Output: {
                S3Uri: `s3://${BUCKET}/evaluations/${trainingJob}`,
                LocalPath: '/opt/ml/processing/output',
                S3UploadMode: 'EndOfJob',
              },
            },
          ],
        },
        Environment: {
          TRAINING_JOB_NAME: trainingJob,
          MODEL_DATA_URL: model,
          IMAGE_URI: `${IMAGE}@${digest}`,
          IMAGE_DIGEST: digest,
        },
        Tags: listTags ? Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) : tags,
      };
    }),
  (detail) => [String(detail.ProcessingJobArn)],
);

/** `SageMaker Model Package State Change`: a version of the pipeline's group approved or rejected (deploy-model). */
export const modelPackageStateChange: Arbitrary<Envelope> = envelope(
  'aws.sagemaker',
  'SageMaker Model Package State Change',
  fc
    .record({
      version: fc.integer({ min: 1, max: 10_000 }),
      status: fc.constantFrom('Approved', 'Rejected'),
      created: epochMillis,
    })
    .map(({ version, status, created }) => ({
      ModelPackageGroupName: PIPELINE,
      ModelPackageVersion: version,
      ModelPackageArn: sagemakerArn('model-package', `${PIPELINE}/${version}`),
      ModelApprovalStatus: status,
      ModelPackageStatus: 'Completed',
      CreationTime: created,
    })),
  (detail) => [String(detail.ModelPackageArn)],
);

/** Events of other AWS services and shapes: none is an event of any pipeline stage. */
export const otherServiceEvent: Arbitrary<unknown> = fc.oneof(
  envelope(
    'aws.ec2',
    'EC2 Instance State-change Notification',
    fc.record({
      'instance-id': fc.constant('i-1234567890abcdef0'),
      state: fc.constantFrom('running', 'terminated'),
    }),
  ),
  envelope(
    'aws.s3',
    'Object Created',
    fc.record({
      version: fc.constant('0'),
      bucket: fc.constant({ name: BUCKET }),
      object: fc.record({ key: fc.constant(`${TRAINING_PREFIX}part-0001.csv`), size: fc.nat() }),
      'request-id': fc.constant('57H08PA84AB1JZW0'),
      requester: fc.constant(ACCOUNT),
      reason: fc.constant('PutObject'),
    }),
  ),
  envelope(
    'aws.ecr',
    'ECR Image Scan',
    fc.record({
      'scan-status': fc.constant('COMPLETE'),
      'repository-name': fc.constant(PIPELINE),
      'image-digest': digest,
    }),
  ),
  envelope(
    'aws.sagemaker',
    'SageMaker Endpoint State Change',
    fc.record({
      EndpointName: fc.constant(PIPELINE),
      EndpointStatus: fc.constantFrom('IN_SERVICE', 'FAILED'),
    }),
  ),
  envelope('aws.events', 'Scheduled Event', fc.constant({})),
  envelope('mlpipe.custom', 'Retrain Requested', fc.record({ pipeline: fc.constant(PIPELINE) })),
  fc.constant({
    Records: [{ eventSource: 'aws:sns', Sns: { Message: '{}', TopicArn: 'arn:aws:sns:us-east-1:0:t' } }],
  }),
  fc.constant({ httpMethod: 'POST', path: '/train', body: '{}', headers: {}, requestContext: {} }),
  fc.constant({ 'detail-type': 'ECR Image Action', source: 'aws.ecr' }),
  fc.constant({}),
);

/** Details of other event types, for "valid envelope, foreign detail" cases. */
const foreignDetail = (otherStages: Arbitrary<Envelope>[]): Arbitrary<unknown> =>
  fc.oneof(
    fc.oneof(...otherStages).map((event) => event.detail),
    fc.constant({ 'instance-id': 'i-1234567890abcdef0', state: 'running' }),
    fc.constant({ EndpointName: PIPELINE, EndpointStatus: 'IN_SERVICE' }),
    fc.constant({}),
  );

export interface EventBridgeSpec {
  /** Valid events this stage acts on; every case breaks them. */
  base: Arbitrary<Envelope>;
  source: string;
  detailType: string;
  /** Mutations that make the event foreign: the handler skips it. */
  foreign: Arbitrary<Mutation>[];
  /** Mutations of the detail that make it malformed: the handler refuses it, naming the field. */
  malformed: Arbitrary<Mutation>[];
  /** Mutations that change nothing the handler looks at: huge and unicode strings, extra fields. */
  noise: Arbitrary<Mutation>[];
  /** Valid events of the other stages: sent whole, or their detail in this stage's envelope. */
  otherStages: Arbitrary<Envelope>[];
  /** Fields of the detail the handler reads (extra fields never collide with them). */
  detailFields: readonly string[];
  /**
   * The detail-types of the other kinds of event the function also takes (its schedule, its settle event): a
   * valid event of such a kind is no bad input, and the stage's own event under such a detail-type is refused by
   * that kind's schema, which names the source or a field of the detail rather than the detail-type.
   */
  alsoAccepts?: readonly string[];
}

/** Mutations of the EventBridge envelope: missing and mistyped fields, other sources and detail types. */
function envelopeBreakers(spec: EventBridgeSpec): Arbitrary<Mutation>[] {
  return [
    fc.constantFrom(...ENVELOPE_FIELDS, 'detail').chain((field) => missing([field])),
    nullRequired(...[...ENVELOPE_FIELDS, 'detail'].map((field) => [field])),
    fc.constantFrom('version', 'id', 'account', 'region').chain((field) => mistyped([field], 'string')),
    setTo('bad-datetime', 'invalid', ['time'], fc.oneof(notIsoDateTime, valueNotOf('string'))),
    mistyped(['resources'], 'array'),
    setTo(
      'mistyped-field',
      'invalid',
      ['resources'],
      fc.array(valueNotOf('string'), { minLength: 1, maxLength: 3 }),
    ),
    mistyped(['replay-name'], 'string', 'null'),
    setTo(
      'other-source',
      'invalid',
      ['source'],
      fc.oneof(otherWord([spec.source], ['aws.ecr', 'aws.sagemaker', 'aws.s3', 'aws.ec2', 'aws.events'])),
    ),
    setTo(
      'other-detail-type',
      'invalid',
      ['detail-type'],
      otherWord(
        [spec.detailType, ...(spec.alsoAccepts ?? [])],
        [
          'ECR Image Action',
          'ECR Image Scan',
          'SageMaker Training Job State Change',
          'SageMaker Processing Job State Change',
          'SageMaker Model Package State Change',
          'SageMaker Endpoint State Change',
          'SageMaker HyperParameter Tuning Job State Change',
          'Object Created',
        ],
      ),
    ),
    setTo('detail-not-object', 'invalid', ['detail'], valueNotOf('object')),
  ];
}

function envelopeNoise(spec: EventBridgeSpec): Arbitrary<Mutation>[] {
  return [
    setTo('noise', 'skipped', ['replay-name'], nastyString),
    nullOptional(['replay-name']),
    setTo('noise', 'skipped', ['id'], nastyString),
    setTo('noise', 'skipped', ['resources'], fc.array(nastyString, { maxLength: 3 })),
    extraField([], [...ENVELOPE_FIELDS, 'detail', 'replay-name']),
    extraField(['detail'], spec.detailFields),
  ];
}

const NOISE = ['noise', 'extra-field', 'null-optional-field'];

const isUnder = (parent: readonly (string | number)[], path: readonly (string | number)[]) =>
  path.length > parent.length && parent.every((key, index) => path[index] === key);

function build(base: Envelope, all: readonly Mutation[]): BadEvent {
  const event = structuredClone(base);
  // A null optional field would swallow a foreign or malformed value set inside it: the deeper mutation wins.
  const mutations = all.filter(
    (m) => m.kind !== 'null-optional-field' || !all.some((other) => isUnder(m.path, other.path)),
  );
  // Noise first, then foreign, then malformed: a malformed field is never overwritten by a well-formed value.
  const ordered = [
    ...mutations.filter((m) => NOISE.includes(m.kind)),
    ...mutations.filter((m) => m.expected === 'skipped' && !NOISE.includes(m.kind)),
    ...mutations.filter((m) => m.expected === 'invalid'),
  ];
  for (const m of ordered) applyMutation(event, m);
  const invalid = mutations.filter((m) => m.expected === 'invalid');
  return {
    kinds: [...new Set([...mutations.map((m) => m.kind), ...stringKinds(event)])].filter(
      (k) => k !== 'noise',
    ),
    event,
    expected: invalid.length ? 'invalid' : 'skipped',
    fields: invalid.map((m) => pathName(m.path)),
  };
}

/** Every case of one EventBridge stage: malformed, foreign, not an object, another event altogether. */
export function eventBridgeCases(spec: EventBridgeSpec): Arbitrary<BadEvent> {
  const malformed = fc.oneof(...envelopeBreakers(spec), ...spec.malformed);
  const foreign = fc.oneof(...spec.foreign);
  const noise = fc.array(fc.oneof(...envelopeNoise(spec), ...spec.noise), { maxLength: 3 });

  const foreignOnly = fc
    .tuple(spec.base, noise, fc.array(foreign, { minLength: 1, maxLength: 3 }))
    .map(([base, n, f]) => build(base, [...n, ...f]));
  const malformedCases = fc
    .tuple(
      spec.base,
      noise,
      fc.array(malformed, { minLength: 1, maxLength: 3 }),
      fc.array(foreign, { maxLength: 2 }),
    )
    .map(([base, n, m, f]) => build(base, [...n, ...f, ...m]));
  // Middy hands an undefined event to the parser as {}: then the envelope fields are named.
  const notObjects = nonObject.map(
    (event): BadEvent => ({
      kinds: ['non-object-event', ...stringKinds(event)],
      event,
      expected: 'invalid',
      fields: ['(event)', ...ENVELOPE_FIELDS, 'detail'],
    }),
  );
  const wrapped = fc
    .tuple(
      fc.oneof(
        spec.base,
        malformedCases.map((c) => c.event),
      ),
      fc.boolean(),
    )
    .map(
      ([event, asString]): BadEvent => ({
        kinds: [asString ? 'json-string-event' : 'array-event'],
        event: asString ? JSON.stringify(event) : [event],
        expected: 'invalid',
        fields: ['(event)'],
      }),
    );
  const accepted = new Set(spec.alsoAccepts ?? []);
  const otherEvents = fc
    .oneof(...spec.otherStages, otherServiceEvent)
    .filter((event) => !accepted.has(String((event as Partial<Envelope>)?.['detail-type'])))
    .map(
      (event): BadEvent => ({
        kinds: ['other-event', ...stringKinds(event)],
        event,
        expected: 'invalid',
        fields: [...ENVELOPE_FIELDS, 'detail'],
      }),
    );
  // Never combined with other mutations: another source (aws.events) would make a valid scheduled event.
  const otherKinds = (detailTypes: string[]) =>
    fc.tuple(spec.base, noise, fc.constantFrom(...detailTypes)).map(([base, n, detailType]): BadEvent => {
      const { event, kinds } = build(base, n);
      (event as Envelope)['detail-type'] = detailType;
      return {
        kinds: [...kinds, 'other-kind-detail-type'],
        event,
        expected: 'invalid',
        fields: ['source', 'detail'],
      };
    });
  const foreignDetails = fc
    .tuple(spec.base, foreignDetail(spec.otherStages))
    .map(([base, detail]): BadEvent => {
      const event = { ...structuredClone(base), detail: structuredClone(detail) };
      return { kinds: ['foreign-detail'], event, expected: 'invalid', fields: ['detail'] };
    });

  return fc.oneof(
    { weight: 8, arbitrary: malformedCases },
    { weight: 5, arbitrary: foreignOnly },
    { weight: 1, arbitrary: notObjects },
    { weight: 1, arbitrary: wrapped },
    { weight: 2, arbitrary: otherEvents },
    { weight: 1, arbitrary: foreignDetails },
    ...(accepted.size ? [{ weight: 1, arbitrary: otherKinds([...accepted]) }] : []),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Stage specifications
