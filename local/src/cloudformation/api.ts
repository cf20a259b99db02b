// CloudFormation's API (AWS Query protocol) on the offline stack: what `serverless deploy`, `info` and `remove`
// call (stacks, change sets, events, resources, templates, exports), served by the engine (engine.ts). A stack
// operation answers at once and runs in the background, as on AWS: callers poll DescribeStacks or
// DescribeStackEvents. Templates come in the request (TemplateBody) or from the stack's S3 (TemplateURL).
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CfnTemplate } from '@sagemaker-pipeline/testing/cfn-expressions';
import yaml from 'js-yaml';
import { AwsError } from '../aws/errors.js';
import { type QueryInput, type QueryValue, readQuery, sendQueryResult } from '../aws/query.js';
import { encodeKeyPath, type S3Service } from '../s3/s3-service.js';
import type { CloudFormationEngine } from './engine.js';
import { type CfnStackState, creationOrder, parseTemplate, type ResourceRecord } from './template.js';

const NAMESPACE = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';
const MAX_TEMPLATE_BYTES = 1024 * 1024;

interface ChangeSet {
  id: string;
  name: string;
  stackId: string;
  type: 'CREATE' | 'UPDATE';
  templateBody: string;
  template: CfnTemplate;
  parameters: Record<string, string>;
  status: 'CREATE_COMPLETE' | 'FAILED';
  executionStatus: 'AVAILABLE' | 'UNAVAILABLE' | 'EXECUTE_IN_PROGRESS' | 'EXECUTE_COMPLETE';
  statusReason?: string;
  changes: { Type: 'Resource'; ResourceChange: Record<string, string> }[];
  createdAt: Date;
}

const str = (value: QueryValue | undefined): string | undefined =>
  typeof value === 'string' ? value : undefined;
const list = (value: QueryValue | undefined): QueryValue[] => (Array.isArray(value) ? value : []);

function required(input: QueryInput, name: string): string {
  const value = str(input[name]);
  if (!value) {
    throw new AwsError(
      'ValidationError',
      `1 validation error detected: Value null at '${name.charAt(0).toLowerCase()}${name.slice(1)}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return value;
}

/** The bucket and key of a TemplateURL: path style (`s3.amazonaws.com/<bucket>/<key>`) or virtual hosted. */
export function templateObject(templateUrl: string): { bucket: string; key: string } {
  let url: URL;
  try {
    url = new URL(templateUrl);
  } catch {
    throw new AwsError(
      'ValidationError',
      `TemplateURL must be a supported URL: ${templateUrl.slice(0, 200)}`,
    );
  }
  const path = url.pathname.slice(1);
  const virtualHost = /^(.+)\.s3[.-]/.exec(url.hostname);
  if (virtualHost?.[1]) return { bucket: virtualHost[1], key: decodeURIComponent(path) };
  const slash = path.indexOf('/');
  if (slash <= 0)
    throw new AwsError('ValidationError', `TemplateURL must name an S3 object: ${templateUrl.slice(0, 200)}`);
  return { bucket: path.slice(0, slash), key: decodeURIComponent(path.slice(slash + 1)) };
}

export class CloudFormationApi {
  private readonly changeSets: ChangeSet[] = [];

  constructor(
    private readonly engine: CloudFormationEngine,
    private readonly s3: S3Service,
  ) {}

  private async templateOf(input: QueryInput): Promise<{ body: string; template: CfnTemplate }> {
    let body = str(input.TemplateBody);
    const url = str(input.TemplateURL);
    if (body === undefined && url !== undefined) {
      const { bucket, key } = templateObject(url);
      const answer = await this.s3.request('GET', `/${encodeURIComponent(bucket)}/${encodeKeyPath(key)}`);
      if (answer.status !== 200) {
        throw new AwsError(
          'ValidationError',
          `S3 error: Access Denied (the template s3://${bucket}/${key} could not be read)`,
        );
      }
      body = answer.body;
    }
    if (body === undefined)
      throw new AwsError('ValidationError', 'Either Template URL or Template Body must be specified.');
    if (Buffer.byteLength(body) > MAX_TEMPLATE_BYTES) {
      throw new AwsError('ValidationError', 'Template may not exceed 1048576 bytes in size.');
    }
    return { body, template: parseTemplate(body, (text) => yaml.load(text, { json: true })) };
  }

  /** The parameter values a deploy uses: given, previous (UsePreviousValue) or the template's defaults. */
  private parametersOf(
    input: QueryInput,
    template: CfnTemplate,
    previous: Record<string, string> = {},
  ): Record<string, string> {
    const given: Record<string, string> = {};
    for (const entry of list(input.Parameters)) {
      const parameter = entry as Record<string, QueryValue>;
      const key = str(parameter.ParameterKey) ?? '';
      if (!(key in (template.Parameters ?? {}))) {
        throw new AwsError('ValidationError', `Parameters: [${key}] do not exist in the template`);
      }
      const value =
        str(parameter.UsePreviousValue) === 'true' ? previous[key] : str(parameter.ParameterValue);
      if (value !== undefined) given[key] = value;
    }
    const missing = Object.entries(template.Parameters ?? {})
      .filter(([key, parameter]) => given[key] === undefined && parameter.Default === undefined)
      .map(([key]) => key);
    if (missing.length)
      throw new AwsError('ValidationError', `Parameters: [${missing.join(', ')}] must have values`);
    return given;
  }

  /** What ListStacks tells of a stack, and DescribeStacks first. */
  private summary(stack: CfnStackState): Record<string, unknown> {
    return {
      StackId: stack.id,
      StackName: stack.name,
      CreationTime: stack.createdAt,
      LastUpdatedTime: stack.updatedAt,
      DeletionTime: stack.deletedAt,
      StackStatus: stack.status,
      StackStatusReason: stack.statusReason,
    };
  }

  private describe(stack: CfnStackState): Record<string, unknown> {
    return {
      ...this.summary(stack),
      Parameters: Object.entries(stack.parameters).map(([ParameterKey, ParameterValue]) => ({
        ParameterKey,
        ParameterValue,
      })),
      Outputs: stack.outputs,
      Capabilities: stack.capabilities,
      Tags: stack.tags,
      DisableRollback: false,
      EnableTerminationProtection: false,
      DriftInformation: { StackDriftStatus: 'NOT_CHECKED' },
    };
  }

  private resource(stack: CfnStackState, record: ResourceRecord): Record<string, unknown> {
    return {
      StackName: stack.name,
      StackId: stack.id,
      LogicalResourceId: record.logicalId,
      PhysicalResourceId: record.physicalId,
      ResourceType: record.type,
      Timestamp: record.updatedAt,
      LastUpdatedTimestamp: record.updatedAt,
      ResourceStatus: record.status,
      DriftInformation: { StackResourceDriftStatus: 'NOT_CHECKED' },
    };
  }

  private changeSet(input: QueryInput): ChangeSet {
    const name = required(input, 'ChangeSetName');
    const stackName = str(input.StackName);
    const found = this.changeSets.find(
      (candidate) =>
        candidate.id === name ||
        (candidate.name === name &&
          (stackName === undefined || this.engine.find(stackName)?.id === candidate.stackId)),
    );
    if (!found) throw new AwsError('ChangeSetNotFound', `ChangeSet [${name}] does not exist`, 404);
    return found;
  }

  /** The changes a template makes to a stack: resources added, modified (properties differ) and removed. */
  private changesOf(stack: CfnStackState, template: CfnTemplate): ChangeSet['changes'] {
    const ids = creationOrder(template, () => true);
    const changes: ChangeSet['changes'] = [];
    for (const id of ids) {
      const next = template.Resources[id] as { Type: string; Properties?: unknown };
      const before = stack.template.Resources[id];
      if (!before)
        changes.push({
          Type: 'Resource',
          ResourceChange: { Action: 'Add', LogicalResourceId: id, ResourceType: next.Type },
        });
      else if (JSON.stringify(before) !== JSON.stringify(next)) {
        changes.push({
          Type: 'Resource',
          ResourceChange: {
            Action: 'Modify',
            LogicalResourceId: id,
            PhysicalResourceId: stack.resources.get(id)?.physicalId ?? '',
            ResourceType: next.Type,
            Replacement: before.Type === next.Type ? 'Conditional' : 'True',
          },
        });
      }
    }
    for (const [id, record] of stack.resources) {
      if (!(id in template.Resources)) {
        changes.push({
          Type: 'Resource',
          ResourceChange: {
            Action: 'Remove',
            LogicalResourceId: id,
            PhysicalResourceId: record.physicalId,
            ResourceType: record.type,
          },
        });
      }
    }
    return changes;
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL, requestId: string): Promise<void> {
    const { action, input } = await readQuery(req, url);
    const result = await this.run(action, input);
    sendQueryResult(res, action, NAMESPACE, result, requestId);
  }

  private async run(action: string, input: QueryInput): Promise<Record<string, unknown>> {
    const engine = this.engine;
    switch (action) {
      case 'CreateStack': {
        const name = required(input, 'StackName');
        const { body, template } = await this.templateOf(input);
        const parameters = this.parametersOf(input, template);
        const stack = engine.open(name, 'CREATE_IN_PROGRESS', this.stackOptions(input));
        engine.run(() => engine.deploy(stack, body, template, parameters));
        return { StackId: stack.id };
      }
      case 'UpdateStack': {
        const stack = engine.require(required(input, 'StackName'));
        this.requireStable(stack);
        const { body, template } =
          str(input.UsePreviousTemplate) === 'true'
            ? { body: stack.templateBody, template: stack.template }
            : await this.templateOf(input);
        const parameters = this.parametersOf(input, template, stack.parameters);
        if (body === stack.templateBody && JSON.stringify(parameters) === JSON.stringify(stack.parameters)) {
          throw new AwsError('ValidationError', 'No updates are to be performed.');
        }
        engine.run(() => engine.deploy(stack, body, template, parameters));
        return { StackId: stack.id };
      }
      case 'DeleteStack': {
        const stack = engine.find(required(input, 'StackName'));
        if (stack && stack.status !== 'DELETE_COMPLETE') {
          this.requireStable(stack);
          engine.run(() => engine.delete(stack));
        }
        return {};
      }
      case 'DescribeStacks': {
        const name = str(input.StackName);
        const stacks = name
          ? [engine.require(name)]
          : engine.stacks.filter((stack) => stack.status !== 'DELETE_COMPLETE');
        return { Stacks: stacks.map((stack) => this.describe(stack)) };
      }
      case 'ListStacks': {
        const filter = list(input.StackStatusFilter).map(String);
        return {
          StackSummaries: engine.stacks
            .filter((stack) => filter.length === 0 || filter.includes(stack.status))
            .map((stack) => this.summary(stack)),
        };
      }
      case 'DescribeStackEvents': {
        const stack = engine.require(required(input, 'StackName'));
        return { StackEvents: stack.events };
      }
      case 'DescribeStackResource': {
        const stack = engine.require(required(input, 'StackName'));
        const id = required(input, 'LogicalResourceId');
        const record = stack.resources.get(id);
        if (!record)
          throw new AwsError('ValidationError', `Resource ${id} does not exist for stack ${stack.name}`);
        return { StackResourceDetail: { ...this.resource(stack, record), Metadata: '{}' } };
      }
      case 'DescribeStackResources': {
        const stack = engine.require(required(input, 'StackName'));
        const id = str(input.LogicalResourceId);
        return {
          StackResources: [...stack.resources.values()]
            .filter((record) => id === undefined || record.logicalId === id)
            .map((record) => this.resource(stack, record)),
        };
      }
      case 'ListStackResources': {
        const stack = engine.require(required(input, 'StackName'));
        return {
          StackResourceSummaries: [...stack.resources.values()].map((record) => {
            const {
              StackName: _name,
              StackId: _id,
              Timestamp: _time,
              ...summary
            } = this.resource(stack, record);
            return summary;
          }),
        };
      }
      case 'GetTemplate': {
        const changeSetName = str(input.ChangeSetName);
        if (changeSetName)
          return { TemplateBody: this.changeSet(input).templateBody, StagesAvailable: ['Original'] };
        const stack = engine.require(required(input, 'StackName'));
        return { TemplateBody: stack.templateBody, StagesAvailable: ['Original', 'Processed'] };
      }
      case 'ValidateTemplate': {
        const { template } = await this.templateOf(input);
        return {
          Parameters: Object.entries(template.Parameters ?? {}).map(([ParameterKey, parameter]) => ({
            ParameterKey,
            DefaultValue: parameter.Default === undefined ? undefined : String(parameter.Default),
            NoEcho: false,
            Description: typeof parameter.Description === 'string' ? parameter.Description : undefined,
          })),
          Description: str((template as { Description?: QueryValue }).Description),
          Capabilities: Object.values(template.Resources).some((resource) =>
            resource.Type.startsWith('AWS::IAM::'),
          )
            ? ['CAPABILITY_IAM']
            : [],
        };
      }
      case 'ListExports':
        return {
          Exports: engine
            .exports()
            .map((entry) => ({ ExportingStackId: entry.stackId, Name: entry.name, Value: entry.value })),
        };
      case 'SetStackPolicy':
        engine.require(required(input, 'StackName'));
        return {};
      case 'CreateChangeSet':
        return this.createChangeSet(input);
      case 'DescribeChangeSet': {
        const changeSet = this.changeSet(input);
        const stack = engine.stacks.find((candidate) => candidate.id === changeSet.stackId);
        return {
          ChangeSetId: changeSet.id,
          ChangeSetName: changeSet.name,
          StackId: changeSet.stackId,
          StackName: stack?.name,
          CreationTime: changeSet.createdAt,
          ExecutionStatus: changeSet.executionStatus,
          Status: changeSet.status,
          StatusReason: changeSet.statusReason,
          Parameters: Object.entries(changeSet.parameters).map(([ParameterKey, ParameterValue]) => ({
            ParameterKey,
            ParameterValue,
          })),
          Changes: changeSet.changes,
        };
      }
      case 'ExecuteChangeSet': {
        const changeSet = this.changeSet(input);
        if (changeSet.executionStatus !== 'AVAILABLE') {
          throw new AwsError(
            'InvalidChangeSetStatus',
            `ChangeSet [${changeSet.id}] cannot be executed in its current execution status of [${changeSet.executionStatus}]`,
          );
        }
        const stack = engine.require(changeSet.stackId);
        changeSet.executionStatus = 'EXECUTE_IN_PROGRESS';
        engine.run(async () => {
          await engine.deploy(stack, changeSet.templateBody, changeSet.template, changeSet.parameters);
          changeSet.executionStatus = 'EXECUTE_COMPLETE';
        });
        return {};
      }
      case 'DeleteChangeSet': {
        const changeSet = this.changeSet(input);
        this.changeSets.splice(this.changeSets.indexOf(changeSet), 1);
        return {};
      }
      default:
        throw new AwsError(
          'InvalidAction',
          `The action ${action.slice(0, 100) || '(none)'} is not valid for this web service (the offline stack serves CloudFormation's CreateStack, UpdateStack, DeleteStack, DescribeStacks, ListStacks, DescribeStackEvents, DescribeStackResource(s), ListStackResources, GetTemplate, ValidateTemplate, ListExports, SetStackPolicy and change sets).`,
        );
    }
  }

  private stackOptions(input: QueryInput) {
    return {
      tags: list(input.Tags).map((tag) => ({
        Key: str((tag as Record<string, QueryValue>).Key) ?? '',
        Value: str((tag as Record<string, QueryValue>).Value) ?? '',
      })),
      capabilities: list(input.Capabilities).map(String),
    };
  }

  /** An operation under way refuses another, as CloudFormation does. */
  private requireStable(stack: CfnStackState): void {
    if (stack.status.endsWith('_IN_PROGRESS') && stack.status !== 'REVIEW_IN_PROGRESS') {
      throw new AwsError(
        'ValidationError',
        `Stack:${stack.id} is in ${stack.status} state and can not be updated.`,
      );
    }
  }

  private async createChangeSet(input: QueryInput): Promise<Record<string, unknown>> {
    const name = required(input, 'ChangeSetName');
    const stackName = required(input, 'StackName');
    const type = str(input.ChangeSetType) === 'CREATE' ? 'CREATE' : 'UPDATE';
    const { body, template } = await this.templateOf(input);
    let stack = this.engine.find(stackName);
    if (type === 'CREATE') {
      if (stack && stack.status !== 'REVIEW_IN_PROGRESS')
        throw new AwsError('AlreadyExistsException', `Stack [${stackName}] already exists`);
      stack ??= this.engine.open(stackName, 'REVIEW_IN_PROGRESS', this.stackOptions(input));
    } else if (!stack) throw new AwsError('ValidationError', `Stack [${stackName}] does not exist`);
    else this.requireStable(stack);
    const parameters = this.parametersOf(input, template, stack.parameters);
    const changes = this.changesOf(stack, template);
    const unchanged =
      changes.length === 0 &&
      JSON.stringify(parameters) === JSON.stringify(stack.parameters) &&
      type === 'UPDATE';
    const changeSet: ChangeSet = {
      id: `arn:aws:cloudformation:${stack.id.split(':')[3]}:${stack.id.split(':')[4]}:changeSet/${name}/${randomUUID()}`,
      name,
      stackId: stack.id,
      type,
      templateBody: body,
      template,
      parameters,
      status: unchanged ? 'FAILED' : 'CREATE_COMPLETE',
      executionStatus: unchanged ? 'UNAVAILABLE' : 'AVAILABLE',
      ...(unchanged
        ? {
            statusReason:
              "The submitted information didn't contain changes. Submit different information to create a change set.",
          }
        : {}),
      changes,
      createdAt: new Date(),
    };
    this.changeSets.push(changeSet);
    return { Id: changeSet.id, StackId: stack.id };
  }
}
