// CloudFormation, STS, ECR and CloudWatch Logs, for every operation `serverless deploy`, `info`, `invoke`, `logs`
// and `remove` call on the stack (the framework's own calls, read from osls's source).
import {
  CreateChangeSetCommand,
  CreateStackCommand,
  DeleteChangeSetCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStackResourceCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  GetTemplateCommand,
  ListExportsCommand,
  ListStackResourcesCommand,
  UpdateStackCommand,
  ValidateTemplateCommand,
} from '@aws-sdk/client-cloudformation';
import { DescribeLogStreamsCommand, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeRepositoriesCommand } from '@aws-sdk/client-ecr';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { eventually } from '@sagemaker-pipeline/testing/wait';
import { stackSettled } from '../helpers/stack.js';
import { type Clients, casesOf, refused } from './case.js';

const STACK = 'conformance-stack';
const FUNCTION = 'fixture-pipeline-local-ticker';
/** A stack of one queue named `<prefix>-<Suffix parameter>`, its ARN exported under `exportName`. */
const templateOf = (prefix = 'conformance-cfn', exportName = 'conformance-queue-arn') =>
  JSON.stringify({
    Parameters: { Suffix: { Type: 'String', Default: 'a', Description: 'part of the queue name' } },
    Resources: {
      Queue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: { 'Fn::Sub': `${prefix}-\${Suffix}` } } },
    },
    Outputs: { QueueArn: { Value: { 'Fn::GetAtt': ['Queue', 'Arn'] }, Export: { Name: exportName } } },
  });
const TEMPLATE = templateOf();

const settled = (c: Clients, name: string) => stackSettled(c.cloudformation, name);

/** A stack the cases read, created as the framework creates its own. */
export async function prepareDeploy(c: Clients): Promise<void> {
  await c.cloudformation.send(new CreateStackCommand({ StackName: STACK, TemplateBody: TEMPLATE }));
  await settled(c, STACK);
}

export const cloudFormationCases = casesOf('CloudFormation', [
  [
    'CreateStack',
    'the stack id at once; the stack then reaches CREATE_COMPLETE with its outputs',
    async (c) => {
      const created = await c.cloudformation.send(
        new CreateStackCommand({
          StackName: 'conformance-created',
          TemplateBody: templateOf('conformance-created', 'conformance-created-arn'),
          Parameters: [{ ParameterKey: 'Suffix', ParameterValue: 'b' }],
        }),
      );
      const stack = await settled(c, 'conformance-created');
      expect(created.StackId).toMatch(
        /^arn:aws:cloudformation:us-east-1:000000000000:stack\/conformance-created\/[0-9a-f-]{36}$/,
      );
      expect(stack.StackStatus).toBe('CREATE_COMPLETE');
      expect(stack.Outputs?.[0]).toMatchObject({
        OutputKey: 'QueueArn',
        OutputValue: 'arn:aws:sqs:us-east-1:000000000000:conformance-created-b',
      });
    },
  ],
  [
    'CreateStack',
    'AlreadyExistsException (400) for a name in use',
    (c) =>
      refused(
        c.cloudformation.send(new CreateStackCommand({ StackName: STACK, TemplateBody: TEMPLATE })),
        'AlreadyExistsException',
        400,
      ),
  ],
  [
    'DescribeStacks',
    'ValidationError (400) "Stack with id <name> does not exist"',
    async (c) => {
      await expect(
        c.cloudformation.send(new DescribeStacksCommand({ StackName: 'conformance-nowhere' })),
      ).rejects.toMatchObject({
        name: 'ValidationError',
        message: 'Stack with id conformance-nowhere does not exist',
        $metadata: { httpStatusCode: 400 },
      });
    },
  ],
  [
    'DescribeStackEvents',
    'newest first: the stack CREATE_COMPLETE on top, its resources before it',
    async (c) => {
      const events =
        (await c.cloudformation.send(new DescribeStackEventsCommand({ StackName: STACK }))).StackEvents ?? [];
      expect(events.map((event) => `${event.LogicalResourceId} ${event.ResourceStatus}`)).toEqual([
        `${STACK} CREATE_COMPLETE`,
        'Queue CREATE_COMPLETE',
        'Queue CREATE_IN_PROGRESS',
        `${STACK} CREATE_IN_PROGRESS`,
      ]);
    },
  ],
  [
    'DescribeStackResource',
    "a resource's physical id, type and status",
    async (c) => {
      const { StackResourceDetail } = await c.cloudformation.send(
        new DescribeStackResourceCommand({ StackName: STACK, LogicalResourceId: 'Queue' }),
      );
      expect(StackResourceDetail).toMatchObject({
        PhysicalResourceId: `${c.stack.endpoint}/000000000000/conformance-cfn-a`,
        ResourceType: 'AWS::SQS::Queue',
        ResourceStatus: 'CREATE_COMPLETE',
      });
    },
  ],
  [
    'ListStackResources',
    'every resource of the stack, summarised',
    async (c) => {
      const listed = await c.cloudformation.send(new ListStackResourcesCommand({ StackName: STACK }));
      expect(
        listed.StackResourceSummaries?.map((entry) => [entry.LogicalResourceId, entry.ResourceStatus]),
      ).toEqual([['Queue', 'CREATE_COMPLETE']]);
    },
  ],
  [
    'GetTemplate',
    'the template as it was given',
    async (c) => {
      expect((await c.cloudformation.send(new GetTemplateCommand({ StackName: STACK }))).TemplateBody).toBe(
        TEMPLATE,
      );
    },
  ],
  [
    'ValidateTemplate',
    'its parameters with their defaults; ValidationError (400) for a template without resources',
    async (c) => {
      const valid = await c.cloudformation.send(new ValidateTemplateCommand({ TemplateBody: TEMPLATE }));
      expect(valid.Parameters).toEqual([
        { ParameterKey: 'Suffix', DefaultValue: 'a', NoEcho: false, Description: 'part of the queue name' },
      ]);
      await refused(
        c.cloudformation.send(new ValidateTemplateCommand({ TemplateBody: '{"Resources":{}}' })),
        'ValidationError',
        400,
      );
    },
  ],
  [
    'UpdateStack',
    'ValidationError (400) "No updates are to be performed." for the same template',
    async (c) => {
      await expect(
        c.cloudformation.send(new UpdateStackCommand({ StackName: STACK, TemplateBody: TEMPLATE })),
      ).rejects.toMatchObject({
        name: 'ValidationError',
        message: 'No updates are to be performed.',
      });
    },
  ],
  [
    'CreateChangeSet',
    'an UPDATE change set listing the resource it modifies; FAILED when nothing changes',
    async (c) => {
      const changed = templateOf('conformance-cfn-2');
      await c.cloudformation.send(
        new CreateChangeSetCommand({
          StackName: STACK,
          ChangeSetName: 'rename',
          ChangeSetType: 'UPDATE',
          TemplateBody: changed,
        }),
      );
      await c.cloudformation.send(
        new CreateChangeSetCommand({
          StackName: STACK,
          ChangeSetName: 'same',
          ChangeSetType: 'UPDATE',
          TemplateBody: TEMPLATE,
        }),
      );
      const rename = await c.cloudformation.send(
        new DescribeChangeSetCommand({ StackName: STACK, ChangeSetName: 'rename' }),
      );
      const same = await c.cloudformation.send(
        new DescribeChangeSetCommand({ StackName: STACK, ChangeSetName: 'same' }),
      );
      expect(rename).toMatchObject({ Status: 'CREATE_COMPLETE', ExecutionStatus: 'AVAILABLE' });
      expect(
        rename.Changes?.map((change) => [
          change.ResourceChange?.Action,
          change.ResourceChange?.LogicalResourceId,
        ]),
      ).toEqual([['Modify', 'Queue']]);
      expect(same).toMatchObject({ Status: 'FAILED', ExecutionStatus: 'UNAVAILABLE' });
      for (const ChangeSetName of ['rename', 'same'])
        await c.cloudformation.send(new DeleteChangeSetCommand({ StackName: STACK, ChangeSetName }));
    },
  ],
  [
    'DescribeChangeSet',
    "ChangeSetNotFound (the SDK's ChangeSetNotFoundException, 404) for a change set that does not exist",
    (c) =>
      refused(
        c.cloudformation.send(new DescribeChangeSetCommand({ StackName: STACK, ChangeSetName: 'nowhere' })),
        'ChangeSetNotFoundException',
        404,
      ),
  ],
  [
    'ExecuteChangeSet',
    'the stack updated as the change set said: UPDATE_COMPLETE',
    async (c) => {
      await c.cloudformation.send(
        new CreateStackCommand({
          StackName: 'conformance-executed',
          TemplateBody: templateOf('conformance-cfn-x', 'conformance-executed-arn'),
        }),
      );
      await settled(c, 'conformance-executed');
      const next = templateOf('conformance-executed', 'conformance-executed-arn');
      await c.cloudformation.send(
        new CreateChangeSetCommand({
          StackName: 'conformance-executed',
          ChangeSetName: 'go',
          TemplateBody: next,
        }),
      );
      await c.cloudformation.send(
        new ExecuteChangeSetCommand({ StackName: 'conformance-executed', ChangeSetName: 'go' }),
      );
      expect((await settled(c, 'conformance-executed')).StackStatus).toBe('UPDATE_COMPLETE');
      expect(c.stack.queues.has('conformance-executed-a')).toBe(true);
    },
  ],
  [
    'ListExports',
    'the exports of the live stacks, with the stack that exports each',
    async (c) => {
      const { Exports } = await c.cloudformation.send(new ListExportsCommand({}));
      expect(Exports?.find((entry) => entry.Name === 'conformance-queue-arn')).toMatchObject({
        Value: 'arn:aws:sqs:us-east-1:000000000000:conformance-cfn-a',
        ExportingStackId: expect.stringContaining(`:stack/${STACK}/`),
      });
    },
  ],
  [
    'DeleteStack',
    'the stack and its resources gone: DELETE_COMPLETE by its id, unknown by its name',
    async (c) => {
      await c.cloudformation.send(
        new CreateStackCommand({
          StackName: 'conformance-deleted',
          TemplateBody: templateOf('conformance-deleted', 'conformance-deleted-arn'),
        }),
      );
      const { StackId } = await settled(c, 'conformance-deleted');
      await c.cloudformation.send(new DeleteStackCommand({ StackName: 'conformance-deleted' }));
      const deleted = await eventually('the stack to be deleted', async () => {
        const [stack] =
          (await c.cloudformation.send(new DescribeStacksCommand({ StackName: StackId }))).Stacks ?? [];
        return stack?.StackStatus === 'DELETE_COMPLETE' ? stack : undefined;
      });
      expect(deleted.DeletionTime).toBeInstanceOf(Date);
      expect(c.stack.queues.has('conformance-deleted-a')).toBe(false);
      await refused(
        c.cloudformation.send(new DescribeStacksCommand({ StackName: 'conformance-deleted' })),
        'ValidationError',
        400,
      );
    },
  ],
]);

export const stsCases = casesOf('STS', [
  [
    'GetCallerIdentity',
    "the stack's account and an IAM ARN of it",
    async (c) => {
      const identity = await c.sts.send(new GetCallerIdentityCommand({}));
      expect(identity).toMatchObject({
        Account: '000000000000',
        Arn: expect.stringMatching(/^arn:aws:iam::000000000000:/),
      });
    },
  ],
]);

export const ecrCases = casesOf('ECR', [
  [
    'DescribeRepositories',
    'a repository an image was pushed to; RepositoryNotFoundException (400) for one that is not',
    async (c) => {
      const { repositories } = await c.ecr.send(
        new DescribeRepositoriesCommand({ repositoryNames: ['echo-model'] }),
      );
      expect(repositories?.[0]).toMatchObject({
        repositoryName: 'echo-model',
        repositoryUri: '000000000000.dkr.ecr.us-east-1.amazonaws.com/echo-model',
      });
      await refused(
        c.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['conformance-nowhere'] })),
        'RepositoryNotFoundException',
        400,
      );
    },
  ],
]);

export const logsCases = casesOf('CloudWatch Logs', [
  [
    'DescribeLogStreams',
    "a function's stream once it ran; ResourceNotFoundException (400) for a log group that does not exist",
    async (c) => {
      await c.lambda.send(new InvokeCommand({ FunctionName: FUNCTION, Payload: '{"resources":[]}' }));
      const { logStreams } = await c.logs.send(
        new DescribeLogStreamsCommand({
          logGroupName: `/aws/lambda/${FUNCTION}`,
          orderBy: 'LastEventTime',
          descending: true,
        }),
      );
      expect(logStreams?.[0]?.lastEventTimestamp).toBeGreaterThan(0);
      await refused(
        c.logs.send(new DescribeLogStreamsCommand({ logGroupName: '/aws/lambda/conformance-nowhere' })),
        'ResourceNotFoundException',
        400,
      );
    },
  ],
  [
    'FilterLogEvents',
    "the lines of the function's invocations since startTime, START and REPORT among them",
    async (c) => {
      const since = Date.now();
      await c.lambda.send(new InvokeCommand({ FunctionName: FUNCTION, Payload: '{"resources":[]}' }));
      const { events } = await c.logs.send(
        new FilterLogEventsCommand({
          logGroupName: `/aws/lambda/${FUNCTION}`,
          startTime: since,
          interleaved: true,
        }),
      );
      const messages = events?.map((event) => event.message ?? '') ?? [];
      expect(messages[0]).toMatch(/^START RequestId: \S+ Version: \$LATEST$/);
      expect(messages.at(-1)).toMatch(
        /^REPORT RequestId: \S+\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: \d+ MB\tMax Memory Used: \d+ MB\t$/,
      );
      expect(events?.every((event) => (event.timestamp ?? 0) >= since)).toBe(true);
    },
  ],
]);
