/**
 * fast-check generators of malformed and foreign events, for the bad-input suites (issue 7, item 3).
 *
 * Every generated case says what the wired handler must answer: `invalid`, with the fields one of which the
 * error must name, or `skipped`. No case is an event this pipeline acts on: each one breaks at least one
 * invariant (a missing, null or mistyped required field, another source or detail type, a name SageMaker would
 * refuse, another pipeline, group, repository, bucket or prefix, an ECR action it does not act on), so any AWS
 * write it causes is a handler bug. A `null` in an optional field is noise: it changes no answer.
 *
 * The pipeline is the one of the suites' environment: `mlpipe-dev`, account 000000000000, us-east-1.
 */
import { SAGEMAKER_NAME } from '@sagemaker-pipeline/shared/naming';
import fc, { type Arbitrary } from 'fast-check';

export const PIPELINE = 'mlpipe-dev';
export const ACCOUNT = '000000000000';
export const REGION = 'us-east-1';
export const BUCKET = `${PIPELINE}-${ACCOUNT}-${REGION}`;
export const TRAINING_PREFIX = 'training-data/';
export const QUEUE_ARN = `arn:aws:sqs:${REGION}:${ACCOUNT}:${PIPELINE}-retrain`;
export const IMAGE = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${PIPELINE}`;

export type Expected = 'invalid' | 'skipped';

/** One generated event and what the handler must answer. */
export interface BadEvent {
  /** What was broken, for the figures: every mutation's kind, and the kinds of strings the event contains. */
  kinds: string[];
  event: unknown;
  expected: Expected;
  /** For `invalid`: paths as the middleware prints them (`detail.TrainingJobName`); the error names one of them. */
  fields: string[];
}

/** An SQS batch whose envelope is valid: the records SQS must get back, and the ones ignored with a reason. */
export interface BatchCase extends BadEvent {
  bad: string[];
  ignored: string[];
}

// ---------------------------------------------------------------------------------------------------------------
// Strings

const HEX = [...'0123456789abcdef'];
const ALNUM = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'];
const ASCII_SPECIAL = [...' !"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~'];
const UNICODE_SPECIAL = [
  '\t',
  '\n',
  '\r',
  '\u0000',
  '\u0007',
  '\u001b',
  '\u007f',
  '\u00a0',
  '\u200b',
  '\u200d',
  '\u202e',
  '\u2028',
  '\ufeff',
  '\ufffd',
  'é',
  'e\u0301',
  'ß',
  'İ',
  'ı',
  'Ω',
  '漢',
  'ع',
  '🚀',
  '👩‍👩‍👧',
  '\u2010',
  '\uff0d',
  '／',
  '％',
];
const NASTY = [
  '',
  ' ',
  'null',
  'undefined',
  'NaN',
  'true',
  '0',
  '-1',
  '[]',
  '{}',
  '__proto__',
  'constructor',
  'prototype',
  '../../etc/passwd',
  '..\\..\\windows\\system32',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a log4shell probe, meant literally
  '${jndi:ldap://example.com/a}',
  '{{7*7}}',
  "'; DROP TABLE jobs; --",
  '<script>alert(1)</script>',
  '%00',
  '%s%s%s%n',
  `${PIPELINE}\u0000`,
  'arn:aws:iam::000000000000:role/admin',
];

const hexString = (length: number) =>
  fc.string({ unit: fc.constantFrom(...HEX), minLength: length, maxLength: length });

/** One character of any kind: ASCII punctuation, control and invisible characters, combining marks, emoji. */
export const specialChar: Arbitrary<string> = fc.oneof(
  fc.constantFrom(...ASCII_SPECIAL),
  fc.constantFrom(...UNICODE_SPECIAL),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
);

export const unicodeString = (minLength = 0, maxLength = 40): Arbitrary<string> =>
  fc.string({ unit: fc.oneof(specialChar, fc.constantFrom(...ALNUM)), minLength, maxLength });

/** 4 KiB to half a MiB: a chunk of anything, repeated. */
export const hugeString: Arbitrary<string> = fc
  .tuple(unicodeString(1, 4), fc.integer({ min: 4_096, max: 65_536 }))
  .map(([chunk, times]) => chunk.repeat(times));

export const nastyString: Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: unicodeString() },
  { weight: 1, arbitrary: hugeString },
  { weight: 2, arbitrary: fc.constantFrom(...NASTY) },
  { weight: 2, arbitrary: fc.string() },
);

/** The kinds of strings an event contains (keys and values), and whether it nests deep, for the figures. */
export function stringKinds(value: unknown): string[] {
  const kinds = new Set<string>();
  const visit = (node: unknown, depth: number): void => {
    if (typeof node === 'string') {
      if (node.length >= 4_096) kinds.add('huge-string');
      if (/[^\x20-\x7e]/.test(node)) kinds.add('unicode-string');
      return;
    }
    if (node === null || typeof node !== 'object') return;
    if (depth > 32) {
      kinds.add('deeply-nested');
      return;
    }
    for (const [key, child] of Object.entries(node)) {
      visit(key, depth + 1);
      visit(child, depth + 1);
    }
  };
  visit(value, 0);
  return [...kinds];
}

// ---------------------------------------------------------------------------------------------------------------
// Values of the wrong type, non-objects

type JsonType = 'string' | 'number' | 'boolean' | 'null' | 'array' | 'object';

/** Arrays or objects nested 500 to 2,000 levels deep: JSON.parse takes them, recursive code may not. */
const deeplyNested = (arrays: boolean): Arbitrary<unknown> =>
  fc.integer({ min: 500, max: 2_000 }).map((depth) => {
    let node: unknown = arrays ? [] : {};
    for (let level = 0; level < depth; level++) node = arrays ? [node] : { x: node };
    return node;
  });

const OF_TYPE: Record<JsonType, Arbitrary<unknown>> = {
  string: nastyString,
  number: fc.oneof(fc.integer(), fc.double()),
  boolean: fc.boolean(),
  null: fc.constant(null),
  array: fc.oneof(
    { weight: 9, arbitrary: fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }) },
    { weight: 1, arbitrary: deeplyNested(true) },
  ),
  object: fc.oneof(
    {
      weight: 9,
      arbitrary: fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
    },
    { weight: 1, arbitrary: deeplyNested(false) },
  ),
};

/** A value of none of the `accepted` JSON types (never undefined, which an optional field would accept). */
export function valueNotOf(...accepted: JsonType[]): Arbitrary<unknown> {
  const others = (Object.keys(OF_TYPE) as JsonType[]).filter((type) => !accepted.includes(type));
  return fc.oneof(...others.map((type) => OF_TYPE[type]));
}

/** Events that are not objects at all: what a manual invocation or a broken integration may send. */
export const nonObject: Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  nastyString,
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }),
);

// ---------------------------------------------------------------------------------------------------------------
// Mutations

/** Deletes the property instead of setting it. */
export const REMOVE = Symbol('remove');

export interface Mutation {
  kind: string;
  /** `invalid` when it makes the event malformed, `skipped` when it makes it foreign. */
  expected: Expected;
  path: readonly (string | number)[];
  value: unknown;
}

const isContainer = (node: unknown, key: string | number): node is Record<string | number, unknown> =>
  typeof node === 'object' && node !== null && Array.isArray(node) === (typeof key === 'number');

/**
 * Sets (or deletes) the value at `path`. When a parent is missing or not an object, nothing changes: another
 * mutation broke the parent, and the event is already invalid there. Own properties are defined, not assigned,
 * so `__proto__` becomes a key as JSON.parse makes it, not a prototype.
 */
export function applyMutation(target: unknown, mutation: Mutation): void {
  let parent: unknown = target;
  const { path } = mutation;
  for (let index = 0; index < path.length - 1; index++) {
    const key = path[index] as string | number;
    if (!isContainer(parent, key)) return;
    parent = parent[key];
  }
  const last = path[path.length - 1] as string | number;
  if (!isContainer(parent, last)) return;
  if (mutation.value === REMOVE) {
    delete parent[last];
  } else {
    Object.defineProperty(parent, last, {
      value: mutation.value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
}

const pathName = (path: readonly (string | number)[]) => path.map(String).join('.');

const mutation = (kind: string, expected: Expected, path: readonly (string | number)[], value: unknown) => ({
  kind,
  expected,
  path,
  value,
});

const setTo = (
  kind: string,
  expected: Expected,
  path: readonly (string | number)[],
  value: Arbitrary<unknown>,
) => value.map((v): Mutation => mutation(kind, expected, path, v));

export const missing = (path: readonly (string | number)[]): Arbitrary<Mutation> =>
  fc.constant(mutation('missing-field', 'invalid', path, REMOVE));

export const mistyped = (path: readonly (string | number)[], ...accepted: JsonType[]): Arbitrary<Mutation> =>
  setTo('mistyped-field', 'invalid', path, valueNotOf(...accepted));

export const emptyString = (path: readonly (string | number)[]): Arbitrary<Mutation> =>
  fc.constant(mutation('empty-string', 'invalid', path, ''));

/** `null` in one of these required fields: as invalid as a missing one. */
export const nullRequired = (...paths: (readonly (string | number)[])[]): Arbitrary<Mutation> =>
  fc.constantFrom(...paths).map((path) => mutation('null-required-field', 'invalid', path, null));

/** `null` in one of these optional fields, as AWS may send it: read as absent, so no answer changes. */
export const nullOptional = (...paths: (readonly (string | number)[])[]): Arbitrary<Mutation> =>
  fc.constantFrom(...paths).map((path) => mutation('null-optional-field', 'skipped', path, null));

/** A string outside an enum or literal: other words, other case, padding, anything. */
export function otherWord(accepted: readonly string[], likely: readonly string[] = []): Arbitrary<string> {
  const variants = accepted.flatMap((word) => [
    word.toLowerCase(),
    word.toUpperCase(),
    ` ${word}`,
    `${word} `,
    `${word}\u0000`,
    word.replace(/-/g, '\u2010'),
  ]);
  return fc
    .oneof(fc.constantFrom(...variants, ...likely, ''), nastyString)
    .filter((word) => !accepted.includes(word));
}

export const outOfEnum = (
  path: readonly (string | number)[],
  accepted: readonly string[],
  likely: readonly string[] = [],
): Arbitrary<Mutation> => setTo('out-of-enum', 'invalid', path, otherWord(accepted, likely));

/** Strings that are not ISO 8601 date-times in UTC (EventBridge's `time`, S3's `eventTime`). */
export const notIsoDateTime: Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    'yesterday',
    '2026-11-16',
    '2026-11-16 01:54:34',
    '2026-13-01T00:00:00Z',
    '2026-11-16T25:00:00Z',
    '16/11/2026 01:54',
    '1794794074000',
    'Mon, 16 Nov 2026 01:54:34 GMT',
    '2026-11-16T01:54:34+01:00',
    '２０２６-11-16T01:54:34Z',
  ),
  nastyString.filter((value) => !/^\d{4}-\d{2}-\d{2}T/.test(value)),
);

/** Extra fields an event may carry; keys never collide with `known`, and include `__proto__` and friends. */
export function extraField(
  parent: readonly (string | number)[],
  known: readonly string[],
): Arbitrary<Mutation> {
  const key = fc
    .oneof(
      fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'),
      unicodeString(1, 20),
      hugeString,
    )
    .filter((name) => !known.includes(name));
  return fc
    .tuple(
      key,
      fc.oneof(
        fc.jsonValue({ maxDepth: 3 }),
        fc.constant({ polluted: 'yes' }),
        nastyString,
        deeplyNested(false),
      ),
    )
    .map(([name, value]) => mutation('extra-field', 'skipped', [...parent, name], value));
}

// ---------------------------------------------------------------------------------------------------------------
// Names

/** SageMaker's rule for names of jobs, groups, endpoints: 1-63 letters, digits, hyphens, alphanumeric ends. */
export const isSageMakerName = (name: string): boolean => name.length <= 63 && SAGEMAKER_NAME.test(name);

export const sagemakerName: Arbitrary<string> = fc.stringMatching(SAGEMAKER_NAME).filter(isSageMakerName);

/** A valid SageMaker name that does not start with `ourPrefix`: another pipeline's, or another kind's. */
export function foreignName(ourPrefix: string, near: readonly string[] = []): Arbitrary<string> {
  const otherPipelines = [
    'fraud-detector',
    'mlpipe-prod',
    'mlpipe-devx',
    'mlpipe-de',
    'mlpipe',
    'MLPIPE-DEV',
    'Mlpipe-dev',
    'mlpipe--dev',
    'xmlpipe-dev',
    'team-a',
  ];
  return fc
    .oneof(
      fc
        .tuple(
          fc.constantFrom(...otherPipelines),
          fc.constantFrom('train', 'retrain', 'eval', 'model'),
          hexString(12),
        )
        .map(([pipeline, kind, hash]) => `${pipeline}-${kind}-${hash}`),
      fc
        .tuple(fc.constantFrom(...near, ourPrefix.replace(/-$/, '')), hexString(12))
        .map(([n, h]) => `${n}${h}`),
      sagemakerName,
    )
    .filter((name) => isSageMakerName(name) && !name.startsWith(ourPrefix));
}

/** A name of at most 63 characters that breaks SageMaker's pattern, often behind the pipeline's own prefix. */
export function patternBreakingName(ourPrefix: string): Arbitrary<string> {
  const forbidden = specialChar.filter((char) => !/^[a-zA-Z0-9-]+$/.test(char));
  const alnum = fc.string({ unit: fc.constantFrom(...ALNUM), maxLength: 12 });
  return fc
    .oneof(
      fc
        .tuple(
          fc.constantFrom(ourPrefix, `${ourPrefix}train-`, `${ourPrefix}eval-`, ''),
          alnum,
          forbidden,
          alnum,
        )
        .map((parts) => parts.join('')),
      fc.tuple(fc.constantFrom(`-${ourPrefix}`, '-'), alnum).map((parts) => parts.join('')),
      fc.tuple(fc.constantFrom(ourPrefix, `${ourPrefix}train-`), alnum).map(([p, a]) => `${p}${a}-`),
      fc.constantFrom(ourPrefix, `${ourPrefix}eval-`, `${ourPrefix}train-`),
      unicodeString(1, 63),
    )
    .filter((name) => name.length > 0 && name.length <= 63 && !isSageMakerName(name));
}

/** Longer than SageMaker's 63 characters. */
export function tooLongName(ourPrefix: string): Arbitrary<string> {
  return fc.oneof(
    fc
      .tuple(
        fc.constantFrom(ourPrefix, ''),
        fc.string({ unit: fc.constantFrom(...ALNUM), minLength: 64, maxLength: 300 }),
      )
      .map(([prefix, rest]) => `${prefix}${rest}`),
    hugeString.map((rest) => `${ourPrefix}${rest}`),
  );
}

/** Mutations of a SageMaker name field: missing, mistyped, empty, too long, breaking the pattern. */
export function nameBreakers(path: readonly (string | number)[], ourPrefix: string): Arbitrary<Mutation>[] {
  return [
    missing(path),
    mistyped(path, 'string'),
    emptyString(path),
    setTo('name-too-long', 'invalid', path, tooLongName(ourPrefix)),
    setTo('name-breaks-sagemaker-pattern', 'invalid', path, patternBreakingName(ourPrefix)),
  ];
}

/** A string that is not `ours`: realistic neighbours, lookalikes, anything non-empty. */
export function otherThan(ours: string, near: readonly string[]): Arbitrary<string> {
  return fc
    .oneof(
      fc.constantFrom(
        ...near,
        ours.toUpperCase(),
        ` ${ours}`,
        `${ours} `,
        `${ours}\u0000`,
        `${ours}\u200b`,
        ours.replace(/-/g, '\u2010'),
        `${ours}/`,
        `team/${ours}`,
      ),
      nastyString,
    )
    .filter((value) => value.length > 0 && value !== ours);
}

// ---------------------------------------------------------------------------------------------------------------
// EventBridge events

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

const isoTime = fc
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
const ourJob = (kind: string) => hexString(12).map((hash) => `${PIPELINE}-${kind}-${hash}`);
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

const TIMESTAMP_TYPES: JsonType[] = ['number', 'string'];

export const triggerTrainingCases: Arbitrary<BadEvent> = eventBridgeCases({
  base: ecrImageAction,
  source: 'aws.ecr',
  detailType: 'ECR Image Action',
  detailFields: ['action-type', 'result', 'repository-name', 'image-digest', 'image-tag'],
  foreign: [
    setTo(
      'other-repository',
      'skipped',
      ['detail', 'repository-name'],
      otherThan(PIPELINE, [
        'another-team-repository',
        'mlpipe-prod',
        'mlpipe-dev-2',
        'mlpipe',
        'mlpipe-dev/base',
      ]),
    ),
    fc.constant(mutation('delete-action', 'skipped', ['detail', 'action-type'], 'DELETE')),
    fc.constant(mutation('failed-push', 'skipped', ['detail', 'result'], 'FAILURE')),
    // ECR adds actions (UPDATE_STORAGE_CLASS came with archiving): one not known today is skipped, not refused.
    setTo(
      'unknown-action',
      'skipped',
      ['detail', 'action-type'],
      otherWord(['PUSH', 'DELETE'], ['UPDATE_STORAGE_CLASS', 'TAG', 'PULL', 'REPLICATE']).filter(Boolean),
    ),
    setTo(
      'unknown-result',
      'skipped',
      ['detail', 'result'],
      otherWord(['SUCCESS', 'FAILURE'], ['FAILED', 'IN_PROGRESS']).filter(Boolean),
    ),
  ],
  malformed: [
    ...['action-type', 'result', 'repository-name', 'image-digest'].map((f) => missing(['detail', f])),
    nullRequired(...['action-type', 'result', 'repository-name', 'image-digest'].map((f) => ['detail', f])),
    ...['action-type', 'result', 'repository-name', 'image-digest'].map((f) =>
      mistyped(['detail', f], 'string'),
    ),
    mistyped(['detail', 'image-tag'], 'string', 'null'),
    ...['action-type', 'result', 'repository-name'].map((f) => emptyString(['detail', f])),
    setTo(
      'bad-digest',
      'invalid',
      ['detail', 'image-digest'],
      fc
        .oneof(
          hexString(64).map((hex) => `sha256:${hex.toUpperCase()}`),
          hexString(63).map((hex) => `sha256:${hex}`),
          hexString(65).map((hex) => `sha256:${hex}`),
          hexString(64).map((hex) => `sha512:${hex}`),
          hexString(64),
          hexString(64).map((hex) => `sha256:${hex}\n`),
          nastyString,
        )
        .filter((value) => !/^sha256:[a-f0-9]{64}$/.test(value)),
    ),
  ],
  noise: [
    setTo('noise', 'skipped', ['detail', 'image-tag'], nastyString),
    nullOptional(['detail', 'image-tag']),
  ],
  otherStages: [trainingJobStateChange, processingJobStateChange, modelPackageStateChange],
});

const jobDetailBreakers = (name: string, arn: string, status: string, ourPrefix: string) => [
  ...nameBreakers(['detail', name], ourPrefix),
  nullRequired(['detail', name], ['detail', arn], ['detail', status]),
  missing(['detail', arn]),
  mistyped(['detail', arn], 'string'),
  emptyString(['detail', arn]),
  missing(['detail', status]),
  mistyped(['detail', status], 'string'),
  outOfEnum(
    ['detail', status],
    ['InProgress', 'Completed', 'Failed', 'Stopping', 'Stopped'],
    ['Succeeded', 'Running', 'Pending'],
  ),
  mistyped(['detail', 'FailureReason'], 'string', 'null'),
];

export const evaluateModelCases: Arbitrary<BadEvent> = eventBridgeCases({
  base: trainingJobStateChange,
  source: 'aws.sagemaker',
  detailType: 'SageMaker Training Job State Change',
  alsoAccepts: ['Scheduled Event'],
  detailFields: [
    'TrainingJobName',
    'TrainingJobArn',
    'TrainingJobStatus',
    'SecondaryStatus',
    'FailureReason',
    'ModelArtifacts',
    'AlgorithmSpecification',
    'CreationTime',
    'TrainingEndTime',
    'Tags',
  ],
  foreign: [
    setTo(
      'other-pipeline-job',
      'skipped',
      ['detail', 'TrainingJobName'],
      foreignName(`${PIPELINE}-`, ['mlpipe-dev', 'mlpipe-devtrain-']),
    ),
    setTo(
      'other-pipeline-tag',
      'skipped',
      ['detail', 'Tags', 'pipeline'],
      otherThan(PIPELINE, ['mlpipe-prod', 'mlpipe-dev-2', 'fraud-detector']),
    ),
    setTo(
      'unfinished-job',
      'skipped',
      ['detail', 'TrainingJobStatus'],
      fc.constantFrom('InProgress', 'Stopping'),
    ),
  ],
  malformed: [
    ...jobDetailBreakers('TrainingJobName', 'TrainingJobArn', 'TrainingJobStatus', `${PIPELINE}-`),
    mistyped(['detail', 'SecondaryStatus'], 'string', 'null'),
    mistyped(['detail', 'ModelArtifacts'], 'object', 'null'),
    missing(['detail', 'ModelArtifacts', 'S3ModelArtifacts']),
    mistyped(['detail', 'ModelArtifacts', 'S3ModelArtifacts'], 'string'),
    mistyped(['detail', 'AlgorithmSpecification'], 'object', 'null'),
    mistyped(['detail', 'AlgorithmSpecification', 'TrainingImage'], 'string', 'null'),
    mistyped(['detail', 'CreationTime'], ...TIMESTAMP_TYPES, 'null'),
    mistyped(['detail', 'TrainingEndTime'], ...TIMESTAMP_TYPES, 'null'),
    mistyped(['detail', 'Tags'], 'object', 'null'),
    fc
      .constantFrom('pipeline', 'stage', 'image-digest')
      .chain((tag) => mistyped(['detail', 'Tags', tag], 'string')),
  ],
  noise: [
    setTo('noise', 'skipped', ['detail', 'SecondaryStatus'], nastyString),
    setTo('noise', 'skipped', ['detail', 'FailureReason'], nastyString),
    nullOptional(
      ...[
        'SecondaryStatus',
        'FailureReason',
        'ModelArtifacts',
        'AlgorithmSpecification',
        'CreationTime',
        'TrainingEndTime',
        'Tags',
      ].map((field) => ['detail', field]),
      ['detail', 'AlgorithmSpecification', 'TrainingImage'],
    ),
    fc
      .tuple(
        unicodeString(1, 30).filter((tag) => tag !== 'pipeline'),
        nastyString,
      )
      .map(([tag, value]) => mutation('noise', 'skipped', ['detail', 'Tags', tag], value)),
  ],
  otherStages: [ecrImageAction, processingJobStateChange, modelPackageStateChange],
});

export const registerModelCases: Arbitrary<BadEvent> = eventBridgeCases({
  base: processingJobStateChange,
  source: 'aws.sagemaker',
  detailType: 'SageMaker Processing Job State Change',
  alsoAccepts: ['Scheduled Event'],
  detailFields: [
    'ProcessingJobName',
    'ProcessingJobArn',
    'ProcessingJobStatus',
    'FailureReason',
    'ExitMessage',
    'ProcessingOutputConfig',
    'ProcessingInputs',
    'Environment',
    'Tags',
  ],
  foreign: [
    setTo(
      'other-pipeline-job',
      'skipped',
      ['detail', 'ProcessingJobName'],
      fc.oneof(
        foreignName(`${PIPELINE}-eval-`, ['mlpipe-dev-eval', 'mlpipe-dev-evaluation-', 'mlpipe-dev-evalx-']),
        ourJob('train'),
        ourJob('retrain'),
      ),
    ),
    setTo(
      'unfinished-job',
      'skipped',
      ['detail', 'ProcessingJobStatus'],
      fc.constantFrom('InProgress', 'Stopping'),
    ),
  ],
  malformed: [
    ...jobDetailBreakers('ProcessingJobName', 'ProcessingJobArn', 'ProcessingJobStatus', `${PIPELINE}-eval-`),
    mistyped(['detail', 'ExitMessage'], 'string', 'null'),
    mistyped(['detail', 'ProcessingOutputConfig'], 'object', 'null'),
    missing(['detail', 'ProcessingOutputConfig', 'Outputs']),
    mistyped(['detail', 'ProcessingOutputConfig', 'Outputs'], 'array'),
    missing(['detail', 'ProcessingOutputConfig', 'Outputs', 0, 'OutputName']),
    mistyped(['detail', 'ProcessingOutputConfig', 'Outputs', 0, 'OutputName'], 'string'),
    mistyped(['detail', 'ProcessingOutputConfig', 'Outputs', 0, 'S3Output'], 'object', 'null'),
    missing(['detail', 'ProcessingOutputConfig', 'Outputs', 0, 'S3Output', 'S3Uri']),
    mistyped(['detail', 'ProcessingOutputConfig', 'Outputs', 0, 'S3Output', 'S3Uri'], 'string'),
    mistyped(['detail', 'ProcessingOutputConfig', 'Outputs', 0, 'S3Output', 'LocalPath'], 'string', 'null'),
    nullRequired(
      ['detail', 'ProcessingOutputConfig', 'Outputs'],
      ['detail', 'ProcessingOutputConfig', 'Outputs', 0, 'OutputName'],
      ['detail', 'ProcessingOutputConfig', 'Outputs', 0, 'S3Output', 'S3Uri'],
    ),
    mistyped(['detail', 'Tags'], 'object', 'array', 'null'),
    setTo(
      'mistyped-field',
      'invalid',
      ['detail', 'Tags'],
      fc.constantFrom(
        [{ Key: 'pipeline' }],
        [{ Value: PIPELINE }],
        [{ Key: 1, Value: PIPELINE }],
        [PIPELINE],
        { pipeline: 1 },
      ),
    ),
  ],
  noise: [
    setTo('noise', 'skipped', ['detail', 'FailureReason'], nastyString),
    setTo('noise', 'skipped', ['detail', 'ExitMessage'], nastyString),
    setTo('noise', 'skipped', ['detail', 'Environment', 'TRAINING_JOB_NAME'], nastyString),
    nullOptional(
      ['detail', 'FailureReason'],
      ['detail', 'ExitMessage'],
      ['detail', 'ProcessingOutputConfig'],
      ['detail', 'ProcessingOutputConfig', 'Outputs', 0, 'S3Output'],
      ['detail', 'ProcessingOutputConfig', 'Outputs', 0, 'S3Output', 'LocalPath'],
      ['detail', 'Tags'],
    ),
  ],
  otherStages: [ecrImageAction, trainingJobStateChange, modelPackageStateChange],
});

export const deployModelCases: Arbitrary<BadEvent> = eventBridgeCases({
  base: modelPackageStateChange,
  source: 'aws.sagemaker',
  detailType: 'SageMaker Model Package State Change',
  alsoAccepts: ['SageMaker Endpoint State Change', 'Scheduled Event'],
  detailFields: [
    'ModelPackageGroupName',
    'ModelPackageVersion',
    'ModelPackageArn',
    'ModelApprovalStatus',
    'ModelPackageStatus',
    'CreationTime',
  ],
  foreign: [
    setTo(
      'other-group',
      'skipped',
      ['detail', 'ModelPackageGroupName'],
      fc.oneof(
        otherThan(PIPELINE, ['another-team-models', 'mlpipe-prod', 'mlpipe-dev-2', 'mlpipe-dev-models']),
        patternBreakingName(`${PIPELINE}-`),
        tooLongName(PIPELINE),
      ),
    ),
    fc.constant(
      mutation('pending-approval', 'skipped', ['detail', 'ModelApprovalStatus'], 'PendingManualApproval'),
    ),
  ],
  malformed: [
    missing(['detail', 'ModelPackageGroupName']),
    mistyped(['detail', 'ModelPackageGroupName'], 'string'),
    emptyString(['detail', 'ModelPackageGroupName']),
    missing(['detail', 'ModelPackageArn']),
    mistyped(['detail', 'ModelPackageArn'], 'string'),
    emptyString(['detail', 'ModelPackageArn']),
    missing(['detail', 'ModelApprovalStatus']),
    mistyped(['detail', 'ModelApprovalStatus'], 'string'),
    nullRequired(
      ['detail', 'ModelPackageGroupName'],
      ['detail', 'ModelPackageArn'],
      ['detail', 'ModelApprovalStatus'],
    ),
    outOfEnum(
      ['detail', 'ModelApprovalStatus'],
      ['Approved', 'Rejected', 'PendingManualApproval'],
      ['APPROVED', 'Deleted'],
    ),
    setTo(
      'bad-version',
      'invalid',
      ['detail', 'ModelPackageVersion'],
      fc.oneof(
        fc.constantFrom(0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '2', true),
        fc.integer({ max: 0 }),
        fc.double({ min: 0.01, max: 1e6, noInteger: true }),
      ),
    ),
    mistyped(['detail', 'ModelPackageStatus'], 'string', 'null'),
    mistyped(['detail', 'CreationTime'], ...TIMESTAMP_TYPES, 'null'),
  ],
  noise: [
    setTo('noise', 'skipped', ['detail', 'ModelPackageDescription'], nastyString),
    nullOptional(
      ['detail', 'ModelPackageVersion'],
      ['detail', 'ModelPackageStatus'],
      ['detail', 'CreationTime'],
    ),
  ],
  otherStages: [ecrImageAction, trainingJobStateChange, processingJobStateChange],
});

// ---------------------------------------------------------------------------------------------------------------
// SQS batches of S3 notifications (retrain-model)

/** Encodes a key as S3 does in notifications: form encoding, `/` kept; `strict` also escapes `!'()*`. */
export function s3EncodeKey(key: string, strict = false): string {
  const encoded = encodeURIComponent(key).replace(/%2F/g, '/').replace(/%20/g, '+');
  return strict
    ? encoded.replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)
    : encoded;
}

export function sqsRecord(messageId: string, body: string): Record<string, unknown> {
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
    eventSource: 'aws:sqs',
    eventSourceARN: QUEUE_ARN,
    awsRegion: REGION,
  };
}

interface S3Object {
  bucket: string;
  /** As it travels in the notification (encoded, or raw for keys that are not). */
  key: string;
  size: number;
  eventName: string;
}

const sourceIp = fc.oneof(fc.ipV4(), fc.ipV6(), fc.constant('s3.amazonaws.com'));

function s3NotificationRecord(object: S3Object, time: string, ip: string, sequencer: string) {
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: REGION,
    eventTime: time.replace(/Z$/, '.000Z'),
    eventName: object.eventName,
    userIdentity: { principalId: 'AWS:AIDAJDPLRKLG7UEXAMPLE' },
    requestParameters: { sourceIPAddress: ip },
    responseElements: { 'x-amz-request-id': 'C3D13FE58DE4C810', 'x-amz-id-2': 'FMyUVURIY8/IgAtTv8xRjsk' },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: 'retrain',
      bucket: {
        name: object.bucket,
        ownerIdentity: { principalId: 'A3NL1KOZZKExample' },
        arn: `arn:aws:s3:::${object.bucket}`,
      },
      object: { key: object.key, size: object.size, eTag: 'd41d8cd98f00b204e9800998ecf8427e', sequencer },
    },
  };
}

const notificationRecord = (object: Arbitrary<S3Object>) =>
  fc
    .tuple(object, isoTime, sourceIp, hexString(18))
    .map(([o, time, ip, sequencer]) => s3NotificationRecord(o, time, ip, sequencer.toUpperCase()));

/** Any key, with every special character S3 allows. */
const keyName = fc.oneof(
  unicodeString(1, 60),
  fc.string({ minLength: 1, maxLength: 60 }),
  fc
    .tuple(unicodeString(1, 4), fc.integer({ min: 64, max: 256 }))
    .map(([chunk, times]) => chunk.repeat(times)),
);
const encodedKey = (decoded: Arbitrary<string>) =>
  fc.tuple(decoded, fc.boolean()).map(([key, strict]) => s3EncodeKey(key, strict));
const size = fc.integer({ min: 1, max: 5 * 1024 ** 3 });
const CREATED = [
  'ObjectCreated:Put',
  'ObjectCreated:Post',
  'ObjectCreated:Copy',
  'ObjectCreated:CompleteMultipartUpload',
];

const otherBucket = otherThan(BUCKET, [
  'mlpipe-prod-000000000000-us-east-1',
  'mlpipe-dev-111111111111-us-east-1',
  'mlpipe-dev-000000000000-eu-west-1',
  'mlpipe-dev',
  'training-data',
]);

const OUTSIDE_PREFIXES = [
  '',
  'evaluation-data/',
  'evaluations/',
  'models/',
  'Training-data/',
  'TRAINING-DATA/',
  'training-data',
  'training_data/',
  'training-data-2/',
  'trainingdata/',
  ' training-data/',
  '/training-data/',
  './training-data/',
  'training\u2010data/',
  'ｔraining-data/',
  'training-data\\',
  'training-data%2F',
];

interface IgnoredRecord {
  kind: string;
  record: Arbitrary<Record<string, unknown>>;
}

/** Notification records the handler must ignore, each with why. */
const IGNORED_RECORDS: IgnoredRecord[] = [
  {
    kind: 'other-bucket',
    record: notificationRecord(
      fc.record({
        bucket: otherBucket,
        key: encodedKey(
          fc.oneof(
            keyName.map((k) => `${TRAINING_PREFIX}${k}`),
            keyName,
          ),
        ),
        size,
        eventName: fc.constantFrom(...CREATED),
      }),
    ),
  },
  {
    kind: 'outside-prefix',
    record: notificationRecord(
      fc.record({
        bucket: fc.constant(BUCKET),
        key: encodedKey(
          fc
            .tuple(fc.constantFrom(...OUTSIDE_PREFIXES), keyName)
            .map(([prefix, name]) => `${prefix}${name}`)
            .filter((key) => !key.startsWith(TRAINING_PREFIX)),
        ),
        size,
        eventName: fc.constantFrom(...CREATED),
      }),
    ),
  },
  {
    kind: 'folder-marker',
    record: notificationRecord(
      fc.record({
        bucket: fc.constant(BUCKET),
        key: encodedKey(
          fc.option(keyName).map((name) => (name ? `${TRAINING_PREFIX}${name}/` : TRAINING_PREFIX)),
        ),
        size: fc.oneof(fc.constant(0), size),
        eventName: fc.constantFrom(...CREATED),
      }),
    ),
  },
  {
    kind: 'zero-byte-object',
    record: notificationRecord(
      fc.record({
        bucket: fc.constant(BUCKET),
        key: encodedKey(keyName.map((name) => `${TRAINING_PREFIX}${name}.csv`)),
        size: fc.constant(0),
        eventName: fc.constantFrom(...CREATED),
      }),
    ),
  },
  {
    kind: 'not-a-creation',
    record: notificationRecord(
      fc.record({
        bucket: fc.constant(BUCKET),
        key: encodedKey(keyName.map((name) => `${TRAINING_PREFIX}${name}.csv`)),
        size,
        eventName: fc.oneof(
          fc.constantFrom(
            'ObjectRemoved:Delete',
            'ObjectRemoved:DeleteMarkerCreated',
            'ObjectRestore:Post',
            'ObjectRestore:Completed',
            'ObjectTagging:Put',
            'ObjectAcl:Put',
            'LifecycleExpiration:Delete',
            'LifecycleTransition',
            'IntelligentTiering',
            'ReducedRedundancyLostObject',
            'Replication:OperationFailedReplication',
            'objectcreated:put',
            'ObjectCreated',
            'XObjectCreated:Put',
            ' ObjectCreated:Put',
          ),
          nastyString.filter((name) => !name.startsWith('ObjectCreated:')),
        ),
      }),
    ),
  },
];

/** A notification of new training data, valid: only ever used broken. */
const newDataRecord = notificationRecord(
  fc.record({
    bucket: fc.constant(BUCKET),
    key: encodedKey(keyName.map((name) => `${TRAINING_PREFIX}${name}.csv`)),
    size,
    eventName: fc.constantFrom(...CREATED),
  }),
);

interface Body {
  kinds: string[];
  body: string;
  verdict: 'bad' | 'ignored';
}

const notJson = fc
  .oneof(
    fc.constantFrom(
      '',
      ' ',
      '{',
      '}',
      "{'Records': []}",
      'undefined',
      'NaN',
      '{"Records": [}',
      'Records=[]',
      '\u0000',
    ),
    nastyString,
  )
  .filter((text) => {
    try {
      JSON.parse(text);
      return false;
    } catch {
      return true;
    }
  });

/** Paths inside one S3 notification record whose absence or type the schema refuses. */
const S3_RECORD_BREAKERS: Arbitrary<Mutation>[] = [
  fc
    .constantFrom(
      ['eventVersion'],
      ['eventSource'],
      ['awsRegion'],
      ['eventTime'],
      ['eventName'],
      ['userIdentity'],
      ['requestParameters'],
      ['requestParameters', 'sourceIPAddress'],
      ['responseElements'],
      ['s3'],
      ['s3', 's3SchemaVersion'],
      ['s3', 'configurationId'],
      ['s3', 'bucket'],
      ['s3', 'bucket', 'name'],
      ['s3', 'bucket', 'arn'],
      ['s3', 'bucket', 'ownerIdentity'],
      ['s3', 'object'],
      ['s3', 'object', 'key'],
    )
    .chain((path) => missing(path)),
  fc
    .constantFrom(
      ['eventName'],
      ['awsRegion'],
      ['s3', 'bucket', 'name'],
      ['s3', 'object', 'key'],
      ['s3', 'object', 'eTag'],
    )
    .chain((path) => mistyped(path, 'string')),
  mistyped(['s3', 'object', 'size'], 'number'),
  setTo('bad-datetime', 'invalid', ['eventTime'], notIsoDateTime),
  outOfEnum(['eventSource'], ['aws:s3'], ['aws:sqs', 'aws.s3', 'aws:sns']),
];

const BODIES: Arbitrary<Body>[] = [
  // S3 sends one when the notification configuration is saved.
  fc.tuple(fc.oneof(fc.constant(BUCKET), otherBucket), isoTime).map(
    ([bucket, time]): Body => ({
      kinds: ['s3-test-event'],
      body: JSON.stringify({
        Service: 'Amazon S3',
        Event: 's3:TestEvent',
        Time: time,
        Bucket: bucket,
        RequestId: 'R',
        HostId: 'H',
      }),
      verdict: 'ignored',
    }),
  ),
  // Notifications of objects that are not new training data: one or several per message.
  fc
    .array(fc.oneof(...IGNORED_RECORDS.map(({ kind, record }) => record.map((r) => ({ kind, r })))), {
      minLength: 1,
      maxLength: 4,
    })
    .map(
      (records): Body => ({
        kinds: records.map(({ kind }) => kind),
        body: JSON.stringify({ Records: records.map(({ r }) => r) }),
        verdict: 'ignored',
      }),
    ),
  notJson.map((body): Body => ({ kinds: ['body-not-json'], body, verdict: 'bad' })),
  // JSON, but no S3 message: anything, other envelopes around a notification, S3 events via EventBridge.
  fc
    .oneof(
      fc.jsonValue({ maxDepth: 3 }),
      deeplyNested(true),
      deeplyNested(false).map((nested) => ({ Records: [nested] })),
      fc.constantFrom(
        { Records: [] },
        { Records: [{}] },
        { Records: null },
        { Service: 'Amazon S3', Event: 's3:TestEvent' },
        { Service: 'Amazon SQS', Event: 's3:TestEvent', Bucket: BUCKET },
        { Event: 's3:TestEvent', Bucket: BUCKET },
      ),
      newDataRecord.map((record) => ({
        Type: 'Notification',
        TopicArn: `arn:aws:sns:${REGION}:${ACCOUNT}:uploads`,
        Message: JSON.stringify({ Records: [record] }),
      })),
      newDataRecord.map((record) => JSON.stringify({ Records: [record] })),
      newDataRecord.map((record) => [record]),
      newDataRecord.map((record) => ({ Records: record })),
      otherServiceEvent,
    )
    .map(
      (json): Body => ({
        kinds: ['body-not-s3', ...stringKinds(json)],
        body: JSON.stringify(json) ?? 'undefined',
        verdict: 'bad',
      }),
    ),
  // A would-be notification of new data with a field missing or mistyped.
  fc.tuple(newDataRecord, fc.oneof(...S3_RECORD_BREAKERS)).map(([record, breaker]): Body => {
    const broken = structuredClone(record);
    applyMutation(broken, breaker);
    return { kinds: ['malformed-s3-record'], body: JSON.stringify({ Records: [broken] }), verdict: 'bad' };
  }),
  // A key S3 would have encoded: a raw `%` that is no escape, an invalid UTF-8 sequence.
  fc
    .tuple(
      newDataRecord,
      fc.constantFrom('100%.csv', '%', '%zz.csv', '%E0%A4%A.csv', '%C3.csv', '%ED%A0%80.csv', 'a%2', '%%25'),
      fc.array(fc.oneof(...IGNORED_RECORDS.map(({ record }) => record)), { maxLength: 2 }),
    )
    .map(([record, raw, others]): Body => {
      const broken = structuredClone(record) as { s3: { object: { key: string } } };
      broken.s3.object.key = `${TRAINING_PREFIX}${raw}`;
      return {
        kinds: ['undecodable-key'],
        body: JSON.stringify({ Records: [...others, broken] }),
        verdict: 'bad',
      };
    }),
];

/** Mutations of the SQS envelope of a batch of `length` records. */
function sqsEnvelopeBreakers(length: number): Arbitrary<Mutation>[] {
  const index = fc.nat({ max: length - 1 });
  const at = (arb: (i: number) => Arbitrary<Mutation>) => index.chain(arb);
  const FIELDS = [
    'messageId',
    'receiptHandle',
    'body',
    'attributes',
    'messageAttributes',
    'md5OfBody',
    'eventSource',
    'eventSourceARN',
    'awsRegion',
  ];
  const ATTRIBUTES = [
    'ApproximateReceiveCount',
    'ApproximateFirstReceiveTimestamp',
    'SenderId',
    'SentTimestamp',
  ];
  return [
    at((i) => fc.constantFrom(...FIELDS).chain((field) => missing(['Records', i, field]))),
    at((i) =>
      fc
        .constantFrom('messageId', 'receiptHandle', 'body', 'md5OfBody', 'eventSourceARN', 'awsRegion')
        .chain((field) => mistyped(['Records', i, field], 'string')),
    ),
    at((i) => fc.constantFrom(...ATTRIBUTES).chain((field) => missing(['Records', i, 'attributes', field]))),
    at((i) =>
      fc
        .constantFrom(...ATTRIBUTES)
        .chain((field) => mistyped(['Records', i, 'attributes', field], 'string')),
    ),
    at((i) => mistyped(['Records', i, 'attributes'], 'object')),
    at((i) => mistyped(['Records', i, 'messageAttributes'], 'object')),
    at((i) =>
      setTo(
        'mistyped-field',
        'invalid',
        ['Records', i, 'messageAttributes', 'origin'],
        fc.oneof(valueNotOf('object'), fc.constant({ stringValue: 'x' })),
      ),
    ),
    at((i) =>
      outOfEnum(['Records', i, 'eventSource'], ['aws:sqs'], ['aws:s3', 'aws:sns', 'aws:kinesis', 'aws.sqs']),
    ),
    at((i) => mistyped(['Records', i], 'object')),
  ];
}

/** Every case of retrain-model: batches of ignored and bad messages, broken envelopes, other events. */
export const retrainModelCases: Arbitrary<BadEvent | BatchCase> = (() => {
  const batch = fc
    .tuple(fc.array(fc.oneof(...BODIES), { minLength: 1, maxLength: 25 }), fc.uuid())
    .map(([bodies, batchId]) => {
      const records = bodies.map((body, i) => ({
        ...body,
        messageId: `${batchId.slice(0, 28)}${String(i).padStart(8, '0')}`,
      }));
      return {
        event: { Records: records.map(({ messageId, body }) => sqsRecord(messageId, body)) },
        records,
      };
    });

  const batches = batch.map(
    ({ event, records }): BatchCase => ({
      kinds: [...new Set(records.flatMap((r) => r.kinds)), ...stringKinds(event)],
      event,
      expected: 'skipped',
      fields: [],
      bad: records.filter((r) => r.verdict === 'bad').map((r) => r.messageId),
      ignored: records.filter((r) => r.verdict === 'ignored').map((r) => r.messageId),
    }),
  );

  const brokenEnvelopes = batch.chain(({ event }) =>
    fc
      .array(fc.oneof(...sqsEnvelopeBreakers(event.Records.length)), { minLength: 1, maxLength: 3 })
      .map((mutations): BadEvent => {
        const broken = structuredClone(event);
        for (const m of mutations) applyMutation(broken, m);
        return {
          kinds: [...new Set([...mutations.map((m) => m.kind), ...stringKinds(broken)])],
          event: broken,
          expected: 'invalid',
          fields: mutations.map((m) => pathName(m.path)),
        };
      }),
  );

  const noRecords = fc
    .oneof(
      fc.constant({}),
      fc.constant({ Records: [] }),
      valueNotOf('array').map((Records) => ({ Records })),
      fc.array(valueNotOf('object'), { minLength: 1, maxLength: 3 }).map((Records) => ({ Records })),
    )
    .map((event): BadEvent => ({ kinds: ['no-records'], event, expected: 'invalid', fields: ['Records'] }));

  const notObjects = nonObject.map(
    (event): BadEvent => ({
      kinds: ['non-object-event'],
      event,
      expected: 'invalid',
      fields: ['(event)', 'Records'],
    }),
  );

  // The function also runs on its schedule: a valid `Scheduled Event` is no bad input. Another EventBridge event
  // is parsed as one (it has a detail-type), so the error names its envelope; anything else is parsed as a batch.
  const otherEvents = fc
    .oneof(
      ecrImageAction,
      trainingJobStateChange,
      processingJobStateChange,
      modelPackageStateChange,
      otherServiceEvent,
      // An S3 notification delivered to the function directly, not through the queue.
      fc.array(newDataRecord, { minLength: 1, maxLength: 3 }).map((Records) => ({ Records })),
    )
    .filter((event) => (event as Partial<Envelope>)?.['detail-type'] !== 'Scheduled Event')
    .map(
      (event): BadEvent => ({
        kinds: ['other-event'],
        event,
        expected: 'invalid',
        fields:
          typeof event === 'object' && event !== null && 'detail-type' in event
            ? [...ENVELOPE_FIELDS, 'detail']
            : ['(event)', 'Records'],
      }),
    );

  return fc.oneof(
    { weight: 10, arbitrary: batches },
    { weight: 4, arbitrary: brokenEnvelopes },
    { weight: 1, arbitrary: noRecords },
    { weight: 1, arbitrary: notObjects },
    { weight: 2, arbitrary: otherEvents },
  );
})();

/** A valid batch with one new object under the training-data prefix: the suites' check that the mocks can see a write. */
export const newDataBatch: Arbitrary<Record<string, unknown>> = fc
  .tuple(newDataRecord, fc.uuid())
  .map(([record, id]) => ({ Records: [sqsRecord(id, JSON.stringify({ Records: [record] }))] }));
