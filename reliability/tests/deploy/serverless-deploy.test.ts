/**
 * `serverless deploy --stage local` to the offline stack, with the framework itself (osls and its plugins, the
 * services' own serverless.yml): the stack's CloudFormation provisions the packaged templates, and the functions
 * run the zips the framework uploaded. Each service is deployed from a copy of its folder, so that its own
 * `.serverless` (read by other suites) is left alone.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ListTrainingJobsCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { type Stack, silentLogger, startStack } from '@sagemaker-pipeline/local';
import { imageFolder } from '@sagemaker-pipeline/reference-model';
import { copyService, runServerless } from '@sagemaker-pipeline/testing/cloudformation';
import { eventually } from '@sagemaker-pipeline/testing/wait';
import { NAMES, ROOT } from '../integration/helpers.js';
import { resourceTypesTouched } from './stack-events.js';

const SERVICES = ['infra', 'trigger-training'] as const;
const FUNCTION = `${NAMES.pipeline}-trigger-training-local-triggerTraining`;

describe('serverless deploy --stage local to the offline stack', () => {
  let stack: Stack;
  let env: Record<string, string>;
  const copies = {} as Record<(typeof SERVICES)[number], { dir: string; remove(): void }>;
  const serverless = (service: (typeof SERVICES)[number], ...args: string[]) =>
    runServerless(copies[service].dir, [...args, '--stage', 'local'], env);
  const stackOf = (service: string) => stack.cloudFormation.find(`${NAMES.pipeline}-${service}-local`);

  beforeAll(async () => {
    stack = await startStack({ port: 0, temporary: true, logger: silentLogger, services: [] });
    // nothing else: the offline-stack plugin sets the credentials and the polling for stage local
    env = {
      AWS_ENDPOINT_URL: stack.endpoint,
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      AWS_PROFILE: '',
    };
    for (const service of SERVICES) copies[service] = copyService(path.join(ROOT, 'packages', service));
  }, 60_000);
  afterAll(async () => {
    for (const copy of Object.values(copies)) copy.remove();
    await stack?.stop();
  });

  it('deploys infra, then a stage whose function runs the zip the framework uploaded', async () => {
    await serverless('infra', 'deploy');
    const output = await serverless('trigger-training', 'deploy');

    expect(output).toContain(`Service deployed to stack ${NAMES.pipeline}-trigger-training-local`);
    expect(stackOf('infra')?.status).toBe('UPDATE_COMPLETE');
    expect(stackOf('trigger-training')?.status).toBe('UPDATE_COMPLETE');
    const deployed = stack.functions.definition(FUNCTION);
    expect(deployed?.handlerFile).toMatch(
      new RegExp(`^${stack.dir}/deployed/${FUNCTION}/[0-9a-f]{64}/src/handler\\.cjs$`),
    );
    expect(deployed?.environment).toMatchObject({
      PIPELINE_NAME: NAMES.pipeline,
      ECR_REPOSITORY_NAME: NAMES.repository,
    });
    expect(deployed).toMatchObject({ maximumRetryAttempts: 2, maximumEventAge: 3600 });
    expect(deployed?.onFailure).toMatch(/^arn:aws:sqs:us-east-1:000000000000:.+-dlq$/);
    expect(stack.queues.has(NAMES.retrainQueue)).toBe(true);
  });

  it('an image pushed to the repository runs the deployed function, which starts a training job', async () => {
    await stack.images.push(imageFolder(), NAMES.repository, 'v1');

    const jobs = await eventually('a training job', async () => {
      const listed = await stack
        .client(SageMakerClient)
        .send(new ListTrainingJobsCommand({ NameContains: `${NAMES.pipeline}-train-` }));
      return listed.TrainingJobSummaries?.length ? listed.TrainingJobSummaries : undefined;
    });

    // the invocation is recorded once it ends, a moment after its CreateTrainingJob
    const triggers = await eventually('the invocation to end', () => {
      const ended = stack.functions.invocations.filter((entry) => entry.functionName === FUNCTION);
      return ended.length ? ended.map((entry) => entry.trigger) : undefined;
    });
    expect(jobs).toHaveLength(1);
    expect(triggers).toEqual(['eventbridge']);
  });

  it('serverless info, invoke and logs answer from the stack', async () => {
    const info = await serverless('trigger-training', 'info');
    const invoked = await serverless(
      'trigger-training',
      'invoke',
      '-f',
      'triggerTraining',
      '--path',
      path.join(ROOT, 'packages/trigger-training/events/other-repository.json'),
    );

    const logs = await serverless('trigger-training', 'logs', '-f', 'triggerTraining');

    expect(info).toContain(`triggerTraining: ${FUNCTION}`);
    // the function's own lines (Powertools' JSON), as Lambda sends them to its log group
    expect(logs).toContain('"service":"trigger-training"');
    expect(JSON.parse(invoked.slice(invoked.indexOf('{')))).toMatchObject({ status: 'skipped' });
  });

  it('a stage deployed again with one change updates its function and nothing else', async () => {
    const eventsBefore = stackOf('trigger-training')?.events.length ?? 0;

    await serverless('trigger-training', 'deploy', '--param', 'logLevel=DEBUG');

    expect(stackOf('trigger-training')?.status).toBe('UPDATE_COMPLETE');
    expect(resourceTypesTouched(stackOf('trigger-training')?.events, eventsBefore)).toEqual([
      'AWS::Lambda::Function',
      'AWS::Lambda::Version',
    ]);
    expect(stack.functions.definition(FUNCTION)?.environment).toMatchObject({
      POWERTOOLS_LOG_LEVEL: 'DEBUG',
    });
  });

  it.each([
    [
      'a resource type the stack does not provision',
      'Table',
      'does not provision resource type AWS::DynamoDB::Table',
      { Type: 'AWS::DynamoDB::Table', Properties: { TableName: 'x' } },
    ],
    [
      'a broken Fn::ImportValue',
      'Broken',
      'No stack exports nobody-exports-this',
      { Type: 'AWS::SQS::Queue', Properties: { QueueName: { 'Fn::ImportValue': 'nobody-exports-this' } } },
    ],
  ])(
    "a deploy with %s fails with CloudFormation's status and reason, and the previous deployment keeps serving",
    async (_what, logicalId, reason, resource) => {
      const file = path.join(copies['trigger-training'].dir, 'serverless.yml');
      const original = readFileSync(file, 'utf8');
      const serving = stack.functions.definition(FUNCTION)?.handlerFile;
      writeFileSync(
        file,
        original.replace(
          '\nresources:\n  Resources:\n',
          `\nresources:\n  Resources:\n    ${logicalId}: ${JSON.stringify(resource)}\n`,
        ),
      );
      try {
        const failure = await serverless('trigger-training', 'deploy').then(
          () => 'deployed',
          (error: Error) => error.message,
        );

        expect(failure).toContain(`CREATE_FAILED: ${logicalId}`);
        expect(failure).toContain(reason);
        expect(stackOf('trigger-training')?.status).toBe('UPDATE_ROLLBACK_COMPLETE');
        const invoked = await stack.functions.invoke(
          FUNCTION,
          { source: 'aws.ecr', 'detail-type': 'ECR Image Action', detail: {} },
          { source: 'direct' },
        );
        expect(invoked.ok).toBe(true);
        // the function the failed deploy changed (its log level, without --param) is restored, code and all
        expect(stack.functions.definition(FUNCTION)?.environment).toMatchObject({
          POWERTOOLS_LOG_LEVEL: 'DEBUG',
        });
        expect(stack.functions.definition(FUNCTION)?.handlerFile).toBe(serving);
      } finally {
        writeFileSync(file, original);
      }
    },
  );

  it('serverless remove deletes the stage and its resources', async () => {
    await serverless('trigger-training', 'remove');

    expect(stackOf('trigger-training')).toBeUndefined();
    expect(stack.functions.definition(FUNCTION)).toBeUndefined();
    expect(stack.queues.has(`${NAMES.pipeline}-trigger-training-dlq`)).toBe(false);
    expect(stack.bus.listRules().map((rule) => rule.name)).not.toContain(`${FUNCTION}-rule-1`);
    expect(stackOf('infra')?.status).toBe('UPDATE_COMPLETE');
  });
});
