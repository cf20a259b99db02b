/**
 * The conformance suite: the stack driven with the AWS SDK for JavaScript for every operation the pipeline, the
 * reference image, the CLI, `aws s3 cp/sync/ls`, the SDK's `Upload` and the framework's deploy, info, invoke,
 * logs and remove use, each case asserting AWS's documented
 * answer (status, error code, headers, body shape). Its figure (operations, cases, differences) and the table of
 * the S3 operations it covers are in local/README.md and checked here; `WRITE_README=1` rewrites them.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ECRClient } from '@aws-sdk/client-ecr';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { STSClient } from '@aws-sdk/client-sts';
import { fixtureService } from '../helpers/fixtures.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';
import type { Clients, ConformanceCase } from './case.js';
import { cloudFormationCases, ecrCases, logsCases, prepareDeploy, stsCases } from './deploy.cases.js';
import { eventBridgeCases, FIXTURE_ENV, lambdaCases, snsCases, sqsCases } from './messaging.cases.js';
import { runtimeCases } from './runtime.cases.js';
import { prepareS3, s3Cases } from './s3.cases.js';
import { s3MultipartCases } from './s3-multipart.cases.js';
import { prepareSageMaker, sageMakerCases } from './sagemaker.cases.js';

const cases: ConformanceCase[] = [
  ...s3Cases,
  ...s3MultipartCases,
  ...sageMakerCases,
  ...runtimeCases,
  ...eventBridgeCases,
  ...snsCases,
  ...sqsCases,
  ...lambdaCases,
  ...cloudFormationCases,
  ...stsCases,
  ...ecrCases,
  ...logsCases,
];
const README = path.resolve(import.meta.dirname, '..', '..', 'README.md');
const START = '<!-- conformance: written by WRITE_README=1 of tests/conformance -->';
const END = '<!-- conformance end -->';

const operationsOf = (list: ConformanceCase[]) => [
  ...new Set(list.map((entry) => `${entry.service} ${entry.operation}`)),
];

const figure = () => `${operationsOf(cases).length} operations, ${cases.length} cases, 0 differences`;

/** The README's block: the figure, then the S3 operations with their cases. */
function readmeBlock(): string {
  const s3 = cases.filter((entry) => entry.service === 'S3');
  const s3Operations = [...new Set(s3.map((entry) => entry.operation))].sort();
  const rows = s3Operations.map(
    (operation) =>
      `| ${operation} | ${s3
        .filter((entry) => entry.operation === operation)
        .map((entry) => entry.answer.replaceAll('|', '\\|'))
        .join('; ')} |`,
  );
  return [
    START,
    '',
    `**${figure()}** from AWS's documented answers, across ${new Set(cases.map((entry) => entry.service)).size} services.`,
    '',
    '| S3 operation | cases: what the stack answers, as S3 does |',
    '| --- | --- |',
    ...rows,
    '',
    END,
  ].join('\n');
}

/** The block as a reader sees it: the figure's words and each table row's cells, whatever the padding. */
const normalise = (block: string) =>
  block
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !/^\|[\s|:-]+\|$/.test(line))
    .map((line) =>
      line.startsWith('|')
        ? line
            .split(/(?<!\\)\|/)
            .map((cell) => cell.trim())
            .join('|')
        : line,
    );

describe('conformance: the stack answers as AWS documents, for every operation the project uses', () => {
  let t: TestStack;
  let clients: Clients;

  beforeAll(async () => {
    t = await startTestStack({
      services: [fixtureService],
      env: FIXTURE_ENV,
      endpointStartTimeoutMs: 10_000,
    });
    clients = {
      stack: t.stack,
      s3: t.s3,
      sagemaker: t.sagemaker,
      runtime: t.runtime,
      events: t.events,
      sns: t.stack.client(SNSClient),
      sqs: t.stack.client(SQSClient),
      lambda: t.stack.client(LambdaClient),
      cloudformation: t.stack.client(CloudFormationClient),
      sts: t.stack.client(STSClient),
      ecr: t.stack.client(ECRClient),
      logs: t.stack.client(CloudWatchLogsClient),
    };
    await prepareS3(clients.s3);
    await prepareSageMaker(clients);
    await prepareDeploy(clients);
  });
  afterAll(() => t?.stop());

  it.each(cases.map((entry) => [`${entry.service} ${entry.operation}: ${entry.answer}`, entry] as const))(
    '%s',
    async (_name, entry) => {
      await entry.run(clients);
    },
  );

  it("local/README.md carries the suite's figure and its table of S3 operations", () => {
    const readme = readFileSync(README, 'utf8');
    const start = readme.indexOf(START);
    const end = readme.indexOf(END);
    if (process.env.WRITE_README === '1') {
      const before = start < 0 ? readme : readme.slice(0, start);
      const after = start < 0 ? '' : readme.slice(end + END.length);
      writeFileSync(README, `${before}${readmeBlock()}${after}`);
      return;
    }
    expect(start).toBeGreaterThan(-1);
    expect(normalise(readme.slice(start, end + END.length))).toEqual(normalise(readmeBlock()));
  });

  it("the project's README gives the same figure", () => {
    const readme = readFileSync(path.resolve(README, '..', '..', 'README.md'), 'utf8');
    expect(readme.replace(/\s+/g, ' ')).toContain(figure());
  });
});
