// 1,000 malformed requests for the stack, generated from a seed so every run sends the same ones: bad JSON,
// wrong X-Amz-Target, wrong shapes, bodies over the limits, truncated and stalled bodies, garbage headers,
// random bytes, malformed S3 requests. Each case knows how to send itself and whether its answer must be an
// AWS error (a well-formed HTTP request) or may be the HTTP parser's bare 4xx (bytes that are not HTTP).
import { seededRandom } from '@sagemaker-pipeline/local';
import { type Answer, httpExchange, rawExchange } from './wire.js';

export type Kind =
  | 'bad JSON'
  | 'wrong X-Amz-Target'
  | 'wrong shape'
  | 'body over the limit'
  | 'truncated body'
  | 'stalled body or headers'
  | 'garbage headers'
  | 'random bytes'
  | 'malformed S3';

export interface MalformedCase {
  kind: Kind;
  label: string;
  /** A well-formed HTTP request: its answer must be an AWS error. Raw bytes may get the parser's 4xx. */
  http: boolean;
  /** Upper bound for its answer. */
  boundMs: number;
  send(port: number): Promise<Answer>;
}

export const COUNTS: Record<Kind, number> = {
  'bad JSON': 150,
  'wrong X-Amz-Target': 150,
  'wrong shape': 150,
  'body over the limit': 20,
  'truncated body': 138,
  'stalled body or headers': 12,
  'garbage headers': 200,
  'random bytes': 150,
  'malformed S3': 30,
};

/** The bucket the S3 cases use; the suite creates it first. */
export const TEST_BUCKET = 'malformed-requests';
const QUICK = 5_000;
/** A stalled request is answered after the edge's idle timeout (10 s); headers after Node's headers timeout. */
const STALLED = 15_000;

const scope = (service: string) =>
  `AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`;

const jsonHeaders = (service: string, target: string, contentType = 'application/x-amz-json-1.1') => ({
  authorization: scope(service),
  'x-amz-target': target,
  'content-type': contentType,
  'x-amz-date': '20250101T000000Z',
});

const SAGEMAKER_OPS = [
  'CreateTrainingJob',
  'DescribeTrainingJob',
  'ListTrainingJobs',
  'CreateProcessingJob',
  'CreateModelPackage',
  'ListModelPackages',
  'CreateModel',
  'CreateEndpointConfig',
  'CreateEndpoint',
  'UpdateEndpoint',
  'DescribeEndpoint',
  'DeleteEndpoint',
  'AddTags',
  'ListTags',
  'UpdateModelPackage',
];

const VALID_LIST = '{"MaxResults": 10, "SortBy": "CreationTime", "SortOrder": "Descending"}';

/** Requests through node:http: a well-formed request with a bad body or target. */
const httpCase = (
  kind: Kind,
  label: string,
  request: Parameters<typeof httpExchange>[1],
  boundMs = QUICK,
): MalformedCase => ({
  kind,
  label,
  http: true,
  boundMs,
  send: (port) => httpExchange(port, request, boundMs),
});

const rawCase = (
  kind: Kind,
  label: string,
  chunks: (string | Buffer)[],
  options: { keepOpen?: boolean; boundMs?: number; http?: boolean } = {},
): MalformedCase => ({
  kind,
  label,
  http: options.http ?? false,
  boundMs: options.boundMs ?? QUICK,
  send: (port) =>
    rawExchange(port, chunks, { keepOpen: options.keepOpen ?? false, timeoutMs: options.boundMs ?? QUICK }),
});

export function malformedCases(seed = 20_251_127): MalformedCase[] {
  const draw = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(draw() * items.length)] as T;
  const int = (min: number, max: number) => min + Math.floor(draw() * (max - min + 1));
  const bytes = (length: number) => Buffer.from(Array.from({ length }, () => int(0, 255)));
  const ascii = (length: number) => Array.from({ length }, () => String.fromCharCode(int(32, 126))).join('');
  const cases: MalformedCase[] = [];
  const add = (kind: Kind, make: (index: number) => MalformedCase) => {
    for (let index = 0; index < COUNTS[kind]; index += 1) cases.push(make(index));
  };

  add('bad JSON', (index) => {
    const bodies = [
      () => VALID_LIST.slice(0, int(1, VALID_LIST.length - 1)),
      () => `{${ascii(int(1, 200))}`,
      () => bytes(int(1, 512)),
      () => '\uFEFF{}',
      () => '{"MaxResults": NaN}',
      () => "{'single': 'quotes'}",
      () => '{"a": 1,}',
      () => `${'['.repeat(int(1_000, 50_000))}`,
      () => '{"a": "\\x"}',
      () => '{"a": 1} {"b": 2}',
    ];
    const target = pick([
      ['sagemaker', `SageMaker.${pick(SAGEMAKER_OPS)}`],
      ['sagemaker', `SageMaker.${pick(SAGEMAKER_OPS)}`],
      ['events', 'AWSEvents.PutEvents'],
    ] as const);
    const body = (bodies[index % bodies.length] as () => string | Buffer)();
    return httpCase('bad JSON', `${target[1]} with ${String(body).slice(0, 30)}`, {
      headers: jsonHeaders(target[0], target[1]),
      body,
    });
  });

  add('wrong X-Amz-Target', (index) => {
    const targets = [
      () => `SageMaker.${pick(['CreateNotebookInstance', 'Nope', 'createtrainingjob', 'DeleteEverything'])}`,
      () =>
        `SageMaker.${pick(['constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__'])}`,
      () =>
        pick([
          'SageMaker',
          'SageMaker.',
          '',
          '.',
          'sagemaker.ListTrainingJobs',
          'SageMaker..ListTrainingJobs',
        ]),
      () => `SageMaker.${ascii(int(1, 64)).replace(/[^\x21-\x7e]/g, '_')}`,
      () => `SageMaker.${'A'.repeat(int(1_000, 12_000))}`,
      () =>
        pick([
          'DynamoDB_20120810.ListTables',
          'AmazonSQS.ListQueues',
          'AWSEvents.Nope',
          'AWSEvents.constructor',
        ]),
      () => `../../${pick(['etc/passwd', '_local/health'])}`,
    ];
    const target = (targets[index % targets.length] as () => string)();
    const service = target.startsWith('AWSEvents') ? 'events' : 'sagemaker';
    return httpCase('wrong X-Amz-Target', target.slice(0, 40), {
      headers: jsonHeaders(service, target),
      body: '{}',
    });
  });

  add('wrong shape', (index) => {
    // values that are not what the field takes: wrong types, empty, too long, control characters, traversal
    const bad = [
      [],
      42,
      -1,
      1e308,
      '',
      'x'.repeat(300),
      {},
      [null],
      true,
      '../../etc',
      '\u0000',
      'ü€😀',
      '-bad-',
    ];
    const shapes: [string, () => unknown][] = [
      [
        'CreateTrainingJob',
        () => ({ TrainingJobName: pick(bad), AlgorithmSpecification: pick(bad), RoleArn: pick(bad) }),
      ],
      [
        'CreateTrainingJob',
        () => ({
          TrainingJobName: 'shape-test',
          AlgorithmSpecification: { TrainingImage: pick(bad) },
          RoleArn: pick(bad),
          HyperParameters: pick([{ a: 1 }, [], 'x']),
        }),
      ],
      ['DescribeTrainingJob', () => ({ TrainingJobName: pick(bad) })],
      ['ListTrainingJobs', () => ({ MaxResults: pick(['ten', -1, 0, 1e308, {}, [], true]) })],
      ['ListTrainingJobs', () => ({ SortBy: pick(bad), SortOrder: pick(bad) })],
      ['ListTrainingJobs', () => ({ NextToken: pick(['%%%', '\u0000', 'x'.repeat(9_000), '-1']) })],
      ['DescribeEndpoint', () => ({ EndpointName: pick(bad) })],
      ['UpdateEndpoint', () => ({ EndpointName: pick(bad), EndpointConfigName: pick(bad) })],
      ['CreateEndpoint', () => ({ EndpointName: pick(bad), EndpointConfigName: pick(bad) })],
      ['DeleteEndpoint', () => ({ EndpointName: pick(bad) })],
      ['AddTags', () => ({ ResourceArn: pick(bad), Tags: pick([[null], [{}], 'tags', [{ Key: {} }]]) })],
      ['ListTags', () => ({ ResourceArn: pick(bad) })],
      ['CreateModelPackage', () => ({ ModelPackageGroupName: pick(bad), ModelApprovalStatus: pick(bad) })],
      ['ListModelPackages', () => ({ ModelApprovalStatus: pick(['approved', 'Maybe', 42, {}]) })],
      ['UpdateModelPackage', () => ({ ModelPackageArn: pick(bad), ModelApprovalStatus: 'Approved' })],
      ['CreateModel', () => ({ ModelName: pick(bad), ExecutionRoleArn: pick(bad) })],
      [
        'CreateEndpointConfig',
        () => ({ EndpointConfigName: pick(bad), ProductionVariants: pick([[], [null], 'x', [{}]]) }),
      ],
      ['CreateProcessingJob', () => ({ ProcessingJobName: pick(bad), AppSpecification: pick(bad) })],
    ];
    if (index % 5 === 4) {
      const body = JSON.stringify({
        Entries: pick([null, [], 'x', [null], [{ Detail: 42 }], Array.from({ length: 11 }, () => ({}))]),
      });
      return httpCase('wrong shape', `AWSEvents.PutEvents ${body.slice(0, 40)}`, {
        headers: jsonHeaders('events', 'AWSEvents.PutEvents'),
        body,
      });
    }
    const [operation, make] =
      index % 9 === 8 ? [pick(SAGEMAKER_OPS), () => pick([null, [], 42, 'x', true])] : pick(shapes);
    const body = JSON.stringify(make());
    return httpCase('wrong shape', `SageMaker.${operation} ${body.slice(0, 40)}`, {
      headers: jsonHeaders('sagemaker', `SageMaker.${operation}`),
      body,
    });
  });

  add('body over the limit', (index) => {
    const MB = 1024 * 1024;
    const targets = [
      {
        label: 'SageMaker (8 MB)',
        size: 9 * MB,
        headers: jsonHeaders('sagemaker', 'SageMaker.ListTrainingJobs'),
      },
      { label: 'EventBridge (2 MB)', size: 3 * MB, headers: jsonHeaders('events', 'AWSEvents.PutEvents') },
      {
        label: 'InvokeEndpoint (6 MB)',
        size: 7 * MB,
        path: '/endpoints/none/invocations',
        headers: { authorization: scope('sagemaker'), 'content-type': 'text/csv' },
      },
      {
        label: '/_local/images (64 KB)',
        size: 100 * 1024,
        path: '/_local/images',
        headers: { 'content-type': 'application/json' },
      },
      {
        label: 'S3 notification (1 MB)',
        size: 2 * MB,
        method: 'PUT',
        path: `/${TEST_BUCKET}?notification`,
        headers: { authorization: scope('s3'), 'content-type': 'application/xml' },
      },
    ];
    const target = targets[index % targets.length] as (typeof targets)[number];
    const headers = Object.entries({ host: 'x', ...target.headers, 'content-length': String(target.size) })
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    // raw, and the connection kept open: the server may answer before it has read the whole body
    return rawCase(
      'body over the limit',
      target.label,
      [
        `${target.method ?? 'POST'} ${target.path ?? '/'} HTTP/1.1\r\n${headers}\r\n`,
        Buffer.alloc(target.size, index % 2 ? 0x7b : 0x20),
      ],
      { keepOpen: true, boundMs: 20_000, http: true },
    );
  });

  add('truncated body', (index) => {
    const heads = [
      `POST / HTTP/1.1\r\nHost: x\r\nAuthorization: ${scope('sagemaker')}\r\nX-Amz-Target: SageMaker.ListTrainingJobs\r\n`,
      `POST / HTTP/1.1\r\nHost: x\r\nAuthorization: ${scope('events')}\r\nX-Amz-Target: AWSEvents.PutEvents\r\n`,
      `POST /endpoints/none/invocations HTTP/1.1\r\nHost: x\r\nAuthorization: ${scope('sagemaker')}\r\n`,
      `PUT /${TEST_BUCKET}/truncated-${index} HTTP/1.1\r\nHost: x\r\nAuthorization: ${scope('s3')}\r\n`,
      `PUT /${TEST_BUCKET}/chunked-${index} HTTP/1.1\r\nHost: x\r\nAuthorization: ${scope('s3')}\r\nx-amz-content-sha256: STREAMING-UNSIGNED-PAYLOAD-TRAILER\r\nContent-Encoding: aws-chunked\r\n`,
      `POST /_local/images HTTP/1.1\r\nHost: x\r\n`,
    ];
    const head = heads[index % heads.length] as string;
    const declared = int(10, 100_000);
    const sent = int(0, declared - 1);
    if (index % 7 === 6) {
      // chunked transfer encoding cut in the middle of a chunk
      return rawCase('truncated body', 'chunked, cut mid-chunk', [
        `${head}Transfer-Encoding: chunked\r\n\r\n`,
        `${declared.toString(16)}\r\n${ascii(Math.min(sent, 2_000))}`,
      ]);
    }
    return rawCase('truncated body', `${head.split(' ')[1]} ${sent}/${declared} bytes`, [
      `${head}Content-Length: ${declared}\r\n\r\n`,
      ascii(Math.min(sent, 4_000)),
    ]);
  });

  add('stalled body or headers', (index) => {
    if (index < 2) {
      return rawCase(
        'stalled body or headers',
        'headers that never end',
        ['POST / HTTP/1.1\r\nHost: x\r\nX-Slow: '],
        {
          keepOpen: true,
          boundMs: STALLED,
        },
      );
    }
    const targets = [
      `POST / HTTP/1.1\r\nHost: x\r\nAuthorization: ${scope('sagemaker')}\r\nX-Amz-Target: SageMaker.ListTrainingJobs\r\n`,
      `POST / HTTP/1.1\r\nHost: x\r\nAuthorization: ${scope('events')}\r\nX-Amz-Target: AWSEvents.PutEvents\r\n`,
      `PUT /${TEST_BUCKET}/stalled-${index} HTTP/1.1\r\nHost: x\r\nAuthorization: ${scope('s3')}\r\n`,
      `POST /endpoints/none/invocations HTTP/1.1\r\nHost: x\r\nAuthorization: ${scope('sagemaker')}\r\n`,
    ];
    return rawCase(
      'stalled body or headers',
      'body that stops arriving',
      [`${targets[index % targets.length]}Content-Length: 1000\r\n\r\n`, '{"MaxResults": '],
      { keepOpen: true, boundMs: STALLED, http: true },
    );
  });

  add('garbage headers', (index) => {
    const requestLine = pick([
      'POST / HTTP/1.1',
      'GET /_local/health HTTP/1.1',
      `PUT /${TEST_BUCKET}/k HTTP/1.1`,
    ]);
    const templates: (() => string | Buffer)[] = [
      () => `${requestLine}\r\nHost: x\r\nBad Header${ascii(3)}: v\r\n\r\n`,
      () => `${requestLine}\r\nHost: x\r\nNoColonHere\r\n\r\n`,
      () => `${requestLine}\r\nHost: x\r\nX-Ctl: a\u0000b\r\n\r\n`,
      () => `${requestLine}\r\nHost: x\r\nX-Big: ${'a'.repeat(int(17_000, 40_000))}\r\n\r\n`,
      () =>
        `${requestLine}\r\nHost: x\r\n${Array.from({ length: 120 }, (_, n) => `X-H${n}: ${'v'.repeat(200)}`).join('\r\n')}\r\n\r\n`,
      () =>
        `${requestLine}\r\nHost: x\r\nContent-Length: ${pick(['abc', '-1', '1e3', '0x10', '  ', '99999999999999999999'])}\r\n\r\n`,
      () => `${requestLine}\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\nhello`,
      () => `${requestLine}\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
      () =>
        `${requestLine}\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n${pick(['zz', '-1', 'fffffffffffffffffff', '5;;;'])}\r\nhello\r\n0\r\n\r\n`,
      () =>
        `${requestLine}\r\nHost: x\r\nTransfer-Encoding: ${pick(['gzip, chunked, identity', 'chunked, chunked', 'identity'])}\r\n\r\n`,
      () =>
        `${requestLine.replace('HTTP/1.1', pick(['HTTP/9.9', 'HTTP/1.1x', 'HTTP/', 'http/1.1', 'HTTPS/1.1']))}\r\nHost: x\r\n\r\n`,
      () => `${pick(['G@T', 'GET GET', 'PO ST', '\u00ffGET', 'CONNECT'])} / HTTP/1.1\r\nHost: x\r\n\r\n`,
      () => `${requestLine}\nHost: x\nX-Lf: only\n\n`,
      () => `${requestLine}\r\nHost: x\r\n X-Folded: continued\r\n\r\n`,
      () => `${requestLine}\r\n\r\n`,
      () =>
        `GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: ${pick(['websocket', 'h2c', 'TLS/1.2'])}\r\n\r\n`,
      () =>
        Buffer.concat([
          Buffer.from(`${requestLine}\r\nHost: x\r\nAuthorization: AWS4-HMAC-SHA256 Credential=`),
          bytes(int(1, 64)),
          Buffer.from('\r\n\r\n'),
        ]),
      () =>
        `${requestLine}\r\nHost: x\r\nAuthorization: AWS4-HMAC-SHA256 Credential=${pick(['a/b/c/d/e/f', '../../../..', '/////', `x/20250101/us-east-1/${'s'.repeat(5_000)}/aws4_request`])}\r\nContent-Length: 2\r\n\r\n{}`,
      () =>
        `${requestLine}\r\nHost: x\r\nX-Amz-Target: SageMaker.\u00e9\u00e8\r\nContent-Length: 2\r\n\r\n{}`,
    ];
    const chunk = (templates[index % templates.length] as () => string | Buffer)();
    // kept open: a request the parser accepts is answered asynchronously, and Node closes a half-closed one
    return rawCase(
      'garbage headers',
      String(chunk).slice(0, 40).replace(/\r\n/g, '⏎'),
      [typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk],
      { keepOpen: true, boundMs: STALLED },
    );
  });

  add('random bytes', () => {
    const length = int(1, 4_096);
    return rawCase('random bytes', `${length} random bytes`, [bytes(length)]);
  });

  add('malformed S3', (index) => {
    const s3 = { authorization: scope('s3') };
    const requests: Parameters<typeof httpExchange>[1][] = [
      { method: 'PUT', path: `/${TEST_BUCKET}?notification`, headers: s3, body: `<Notification${ascii(50)}` },
      {
        method: 'PUT',
        path: `/${TEST_BUCKET}?notification`,
        headers: s3,
        body: '<NotificationConfiguration><QueueConfiguration><Queue>not-an-arn</Queue><Event>s3:Nope</Event></QueueConfiguration></NotificationConfiguration>',
      },
      {
        method: 'PUT',
        path: `/${TEST_BUCKET}/aws-chunked-${index}`,
        headers: {
          ...s3,
          'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
          'content-encoding': 'aws-chunked',
        },
        body: `zz\r\n${ascii(20)}\r\n`,
      },
      {
        method: 'PUT',
        path: `/${TEST_BUCKET}/crc-${index}`,
        headers: {
          ...s3,
          'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
          'content-encoding': 'aws-chunked',
          'x-amz-decoded-content-length': '5',
          'x-amz-trailer': 'x-amz-checksum-crc32',
        },
        body: '5\r\nhello\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n',
      },
      { method: 'GET', path: '/%', headers: s3 },
      { method: 'GET', path: `/${TEST_BUCKET}/%E0%A4%A`, headers: s3 },
      { method: 'GET', path: `/${TEST_BUCKET}/..%2F..%2F..%2Fetc%2Fpasswd`, headers: s3 },
      { method: 'PUT', path: pick(['/A_B', '/..', '/-x-', `/${'b'.repeat(70)}`]), headers: s3 },
      { method: 'GET', path: '/no-such-bucket-here?notification', headers: s3 },
      { method: 'DELETE', path: '/', headers: s3 },
    ];
    const request = requests[index % requests.length] as Parameters<typeof httpExchange>[1];
    return httpCase('malformed S3', `${request.method} ${request.path}`.slice(0, 50), request);
  });

  return cases;
}
