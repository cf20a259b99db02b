// CloudFormation's stacks on the offline stack: a template's resources created, updated and deleted in the
// order their references give, each by the handler of its type (resource-types.ts) on the stack's services;
// the stack's status life cycle, events, outputs and exports as CloudFormation reports them. A resource that
// fails (a type the stack does not provision, a broken `Fn::ImportValue`, a handler's refusal) fails the
// operation, which rolls back: a failed creation deletes what it made (ROLLBACK_COMPLETE), a failed update
// restores what it changed and deletes what it added (UPDATE_ROLLBACK_COMPLETE), so the previous deployment
// keeps serving.
import { randomUUID } from 'node:crypto';
import {
  type CfnTemplate,
  conditionHolds,
  intrinsicName,
  resolveValue,
} from '@sagemaker-pipeline/testing/cfn-expressions';
import { AwsError } from '../aws/errors.js';
import { resolveProperties } from './properties.js';
import {
  type CfnStackState,
  creationOrder,
  type Properties,
  type Provisioned,
  type ResourceRecord,
  type ResourceType,
  type StackOutput,
} from './template.js';

export class CloudFormationEngine {
  readonly stacks: CfnStackState[] = [];
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly region: string,
    private readonly account: string,
    private readonly types: Record<string, ResourceType>,
  ) {}

  get pseudoParameters(): Record<string, string> {
    return {
      'AWS::Region': this.region,
      'AWS::AccountId': this.account,
      'AWS::Partition': 'aws',
      'AWS::URLSuffix': 'amazonaws.com',
    };
  }

  /** The live stack of a name or id (a deleted one only by its id), as DescribeStacks finds it. */
  find(nameOrId: string): CfnStackState | undefined {
    if (nameOrId.startsWith('arn:')) return this.stacks.find((stack) => stack.id === nameOrId);
    return this.stacks.find((stack) => stack.name === nameOrId && stack.status !== 'DELETE_COMPLETE');
  }

  require(nameOrId: string): CfnStackState {
    const stack = this.find(nameOrId);
    if (!stack) throw new AwsError('ValidationError', `Stack with id ${nameOrId} does not exist`);
    return stack;
  }

  /** Every export of every live stack: name → value and exporting stack. */
  exports(): { name: string; value: string; stackId: string }[] {
    return this.stacks
      .filter((stack) => stack.status !== 'DELETE_COMPLETE')
      .flatMap((stack) =>
        stack.outputs
          .filter((output) => output.ExportName !== undefined)
          .map((output) => ({
            name: output.ExportName as string,
            value: output.OutputValue,
            stackId: stack.id,
          })),
      );
  }

  /** A new stack record, in `status`, without resources yet. */
  open(
    name: string,
    status: string,
    options: { tags?: CfnStackState['tags']; capabilities?: string[] } = {},
  ): CfnStackState {
    if (!/^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(name)) {
      throw new AwsError(
        'ValidationError',
        `1 validation error detected: Value '${name.slice(0, 200)}' at 'stackName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*`,
      );
    }
    if (this.find(name)) throw new AwsError('AlreadyExistsException', `Stack [${name}] already exists`);
    const stack: CfnStackState = {
      id: `arn:aws:cloudformation:${this.region}:${this.account}:stack/${name}/${randomUUID()}`,
      name,
      status,
      templateBody: '',
      template: { Resources: {} },
      parameters: {},
      resources: new Map(),
      outputs: [],
      events: [],
      createdAt: new Date(),
      tags: options.tags ?? [],
      capabilities: options.capabilities ?? [],
      imports: new Set(),
    };
    this.stacks.push(stack);
    this.event(stack, stack.name, stack.id, 'AWS::CloudFormation::Stack', status, 'User Initiated');
    return stack;
  }

  /** Runs a stack operation in the background, as CloudFormation does: callers poll DescribeStacks. */
  run(work: () => Promise<void>): void {
    const promise = work().finally(() => this.running.delete(promise));
    this.running.add(promise);
  }

  /** Waits for every operation under way (the stack's stop, tests). */
  async settled(): Promise<void> {
    while (this.running.size) await Promise.allSettled([...this.running]);
  }

  private event(
    stack: CfnStackState,
    logicalId: string,
    physicalId: string,
    type: string,
    status: string,
    reason?: string,
  ): void {
    stack.events.unshift({
      EventId: randomUUID(),
      StackId: stack.id,
      StackName: stack.name,
      LogicalResourceId: logicalId,
      PhysicalResourceId: physicalId,
      ResourceType: type,
      Timestamp: new Date(),
      ResourceStatus: status,
      ...(reason ? { ResourceStatusReason: reason } : {}),
    });
  }

  private setStatus(stack: CfnStackState, status: string, reason?: string): void {
    stack.status = status;
    stack.statusReason = reason;
    this.event(stack, stack.name, stack.id, 'AWS::CloudFormation::Stack', status, reason);
  }

  private conditionHolds(template: CfnTemplate, parameters: Record<string, string>, name: unknown): boolean {
    if (name === undefined) return true;
    return conditionHolds(template, String(name), parameters, this.pseudoParameters);
  }

  /** The value of a template expression once its resources exist: Ref and Fn::GetAtt read the stack's records. */
  private resolver(stack: CfnStackState, template: CfnTemplate, parameters: Record<string, string>) {
    const scope = {
      ...this.pseudoParameters,
      'AWS::StackName': stack.name,
      'AWS::StackId': stack.id,
      ...parameters,
    };
    const exports = new Map(
      this.exports()
        .filter((entry) => entry.stackId !== stack.id)
        .map((entry) => [entry.name, entry.value]),
    );
    const imports = new Set<string>();
    const resolve = (value: unknown): string =>
      resolveValue(value, template, scope, {
        importValue: (name) => {
          imports.add(name);
          return exports.get(name);
        },
        resource: (logicalId, attribute) => {
          const record = stack.resources.get(logicalId);
          if (!record || record.status.endsWith('FAILED')) return undefined; // not made: CloudFormation's error
          if (attribute === 'Ref') return record.physicalId;
          const value = record.attributes[attribute];
          if (value === undefined) {
            throw new Error(
              `Template error: resource ${logicalId} does not support attribute type ${attribute} in Fn::GetAtt`,
            );
          }
          return value;
        },
      });
    const properties = (value: unknown): Properties =>
      resolveProperties(
        value ?? {},
        resolve,
        (candidate) => intrinsicName(candidate) !== undefined,
      ) as Properties;
    return { resolve, properties, imports };
  }

  /**
   * Creates (no resources yet) or updates the stack to `template` with `parameters`. Resolves when the stack has
   * reached its final status for the operation.
   */
  async deploy(
    stack: CfnStackState,
    templateBody: string,
    template: CfnTemplate,
    parameters: Record<string, string>,
  ): Promise<void> {
    const creating =
      stack.resources.size === 0 && ['CREATE_IN_PROGRESS', 'REVIEW_IN_PROGRESS'].includes(stack.status);
    const previous = {
      template: stack.template,
      templateBody: stack.templateBody,
      parameters: stack.parameters,
      outputs: stack.outputs,
      imports: stack.imports,
    };
    const previousRecords = new Map([...stack.resources].map(([id, record]) => [id, { ...record }]));
    // CreateStack opened the stack in CREATE_IN_PROGRESS already (its first event); a change set's stack is in review
    const status = creating ? 'CREATE_IN_PROGRESS' : 'UPDATE_IN_PROGRESS';
    if (stack.status !== status) this.setStatus(stack, status, creating ? undefined : 'User Initiated');
    if (!creating) stack.updatedAt = new Date();
    const { resolve, properties, imports } = this.resolver(stack, template, parameters);
    const included = (id: string) =>
      this.conditionHolds(template, parameters, template.Resources[id]?.Condition);
    const added: string[] = [];
    const changed: string[] = [];
    const replaced: ResourceRecord[] = [];
    const order = creationOrder(template, included);
    let failure: string | undefined;
    try {
      for (const logicalId of order) {
        const resource = template.Resources[logicalId] as { Type: string; Properties?: unknown };
        const existing = stack.resources.get(logicalId);
        let resolved: Properties;
        try {
          resolved = properties(resource.Properties);
        } catch (error) {
          failure = this.fail(stack, logicalId, resource.Type, existing, (error as Error).message, creating);
          break;
        }
        if (
          existing &&
          existing.type === resource.Type &&
          JSON.stringify(existing.properties) === JSON.stringify(resolved)
        )
          continue;
        const type = this.types[resource.Type];
        const context = { stackName: stack.name, logicalId };
        const action = existing ? 'UPDATE' : 'CREATE';
        this.event(stack, logicalId, existing?.physicalId ?? '', resource.Type, `${action}_IN_PROGRESS`);
        try {
          if (!type) throw new Error(`The offline stack does not provision resource type ${resource.Type}`);
          let provisioned: Provisioned;
          if (existing && existing.type === resource.Type && type.update) {
            provisioned = await type.update(existing, resolved, context);
            changed.push(logicalId);
            if (provisioned.physicalId !== existing.physicalId) replaced.push(existing);
          } else {
            provisioned = await type.create(resolved, context);
            if (existing) replaced.push(existing);
            else added.push(logicalId);
            if (existing) changed.push(logicalId);
          }
          stack.resources.set(logicalId, {
            logicalId,
            type: resource.Type,
            physicalId: provisioned.physicalId,
            properties: resolved,
            attributes: provisioned.attributes ?? {},
            status: `${action}_COMPLETE`,
            updatedAt: new Date(),
          });
          this.event(stack, logicalId, provisioned.physicalId, resource.Type, `${action}_COMPLETE`);
        } catch (error) {
          failure = this.fail(stack, logicalId, resource.Type, existing, (error as Error).message, creating);
          break;
        }
      }
      if (failure === undefined) {
        stack.outputs = this.outputs(template, resolve, parameters);
        failure = this.exportProblem(stack, previous.outputs);
      }
    } catch (error) {
      failure = (error as Error).message;
    }
    if (failure !== undefined) {
      stack.outputs = previous.outputs;
      await this.rollBack(stack, creating, failure, added, changed, previousRecords);
      if (!creating)
        Object.assign(stack, {
          template: previous.template,
          templateBody: previous.templateBody,
          parameters: previous.parameters,
          imports: previous.imports,
        });
      return;
    }
    Object.assign(stack, { template, templateBody, parameters, imports });
    if (creating) {
      this.setStatus(stack, 'CREATE_COMPLETE');
      return;
    }
    this.setStatus(stack, 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS');
    const kept = new Set(order);
    const removed = creationOrder(
      previous.template,
      (id) => previousRecords.has(id) && !kept.has(id),
    ).reverse();
    for (const logicalId of removed) {
      const record = stack.resources.get(logicalId);
      if (record) await this.remove(stack, record);
      stack.resources.delete(logicalId);
    }
    // a replaced resource goes once its replacement serves (one that kept its physical id is the same resource)
    for (const record of replaced) {
      const now = stack.resources.get(record.logicalId);
      if (record.physicalId !== now?.physicalId) await this.remove(stack, record, false);
    }
    this.setStatus(stack, 'UPDATE_COMPLETE');
  }

  /**
   * Why the stack's new outputs cannot be exported, as CloudFormation says it: a name another stack exports, or
   * an export another stack imports that the update would change or remove.
   */
  private exportProblem(stack: CfnStackState, previous: StackOutput[]): string | undefined {
    const taken = this.exports().filter((entry) => entry.stackId !== stack.id);
    for (const output of stack.outputs) {
      const owner = taken.find((entry) => entry.name === output.ExportName);
      if (owner) return `Export with name ${output.ExportName} is already exported by stack ${owner.stackId}`;
    }
    for (const output of previous) {
      if (output.ExportName === undefined) continue;
      const next = stack.outputs.find((candidate) => candidate.ExportName === output.ExportName);
      if (next?.OutputValue === output.OutputValue) continue;
      const by = this.importers(output.ExportName, stack);
      if (by)
        return `Cannot ${next ? 'update' : 'delete'} export ${output.ExportName} as it is in use by ${by}`;
    }
    return undefined;
  }

  /** The stack importing `exportName`, other than `self`, if any. */
  private importers(exportName: string, self: CfnStackState): string | undefined {
    return this.stacks.find(
      (other) => other !== self && other.status !== 'DELETE_COMPLETE' && other.imports.has(exportName),
    )?.name;
  }

  private fail(
    stack: CfnStackState,
    logicalId: string,
    type: string,
    existing: ResourceRecord | undefined,
    reason: string,
    creating: boolean,
  ): string {
    const status = existing ? 'UPDATE_FAILED' : 'CREATE_FAILED';
    this.event(stack, logicalId, existing?.physicalId ?? '', type, status, reason);
    return creating
      ? `The following resource(s) failed to create: [${logicalId}]. Rollback requested by user.`
      : `The following resource(s) failed to ${existing ? 'update' : 'create'}: [${logicalId}]. `;
  }

  private async rollBack(
    stack: CfnStackState,
    creating: boolean,
    reason: string,
    added: string[],
    changed: string[],
    previousRecords: Map<string, ResourceRecord>,
  ): Promise<void> {
    this.setStatus(stack, creating ? 'ROLLBACK_IN_PROGRESS' : 'UPDATE_ROLLBACK_IN_PROGRESS', reason);
    for (const logicalId of [...changed].reverse()) {
      const before = previousRecords.get(logicalId);
      const now = stack.resources.get(logicalId);
      if (!before || !now) continue;
      const type = this.types[before.type];
      const context = { stackName: stack.name, logicalId };
      this.event(stack, logicalId, now.physicalId, before.type, 'UPDATE_IN_PROGRESS');
      if (now.physicalId !== before.physicalId) await this.remove(stack, now, false);
      else await type?.update?.(now, before.properties, context);
      stack.resources.set(logicalId, { ...before, status: 'UPDATE_COMPLETE', updatedAt: new Date() });
      this.event(stack, logicalId, before.physicalId, before.type, 'UPDATE_COMPLETE');
    }
    for (const logicalId of [...added].reverse()) {
      const record = stack.resources.get(logicalId);
      if (record) await this.remove(stack, record);
      stack.resources.delete(logicalId);
    }
    if (creating) {
      for (const [logicalId, record] of stack.resources)
        if (record.status.endsWith('FAILED')) stack.resources.delete(logicalId);
      this.setStatus(stack, 'ROLLBACK_COMPLETE');
    } else this.setStatus(stack, 'UPDATE_ROLLBACK_COMPLETE');
    stack.statusReason = reason;
  }

  /** Deletes one resource with its events; a failure is reported, not thrown. */
  private async remove(stack: CfnStackState, record: ResourceRecord, withEvents = true): Promise<boolean> {
    const type = this.types[record.type];
    if (withEvents) this.event(stack, record.logicalId, record.physicalId, record.type, 'DELETE_IN_PROGRESS');
    try {
      await type?.delete(record, { stackName: stack.name, logicalId: record.logicalId });
    } catch (error) {
      this.event(
        stack,
        record.logicalId,
        record.physicalId,
        record.type,
        'DELETE_FAILED',
        (error as Error).message,
      );
      return false;
    }
    if (withEvents) this.event(stack, record.logicalId, record.physicalId, record.type, 'DELETE_COMPLETE');
    return true;
  }

  /** DeleteStack: every resource in the reverse of its creation order. */
  async delete(stack: CfnStackState): Promise<void> {
    const exported = stack.outputs
      .map((output) => output.ExportName)
      .filter((name): name is string => name !== undefined);
    const importer = exported
      .map((name) => ({ name, by: this.importers(name, stack) }))
      .find((entry) => entry.by);
    this.setStatus(stack, 'DELETE_IN_PROGRESS', 'User Initiated');
    if (importer) {
      this.setStatus(
        stack,
        'DELETE_FAILED',
        `Export ${importer.name} cannot be deleted as it is in use by ${importer.by}`,
      );
      return;
    }
    const order = creationOrder(stack.template, (id) => stack.resources.has(id)).reverse();
    const failed: string[] = [];
    for (const logicalId of order) {
      const record = stack.resources.get(logicalId);
      if (!record) continue;
      if (await this.remove(stack, record)) stack.resources.delete(logicalId);
      else failed.push(logicalId);
    }
    if (failed.length) {
      this.setStatus(
        stack,
        'DELETE_FAILED',
        `The following resource(s) failed to delete: [${failed.join(', ')}]. `,
      );
      return;
    }
    stack.outputs = [];
    stack.deletedAt = new Date();
    this.setStatus(stack, 'DELETE_COMPLETE');
  }

  private outputs(
    template: CfnTemplate,
    resolve: (value: unknown) => string,
    parameters: Record<string, string>,
  ): StackOutput[] {
    return Object.entries(template.Outputs ?? {})
      .filter(([, output]) =>
        this.conditionHolds(template, parameters, (output as { Condition?: unknown }).Condition),
      )
      .map(([key, output]) => ({
        OutputKey: key,
        OutputValue: resolve(output.Value),
        ...((output as { Description?: unknown }).Description === undefined
          ? {}
          : { Description: String((output as { Description?: unknown }).Description) }),
        ...(output.Export?.Name === undefined ? {} : { ExportName: resolve(output.Export.Name) }),
      }));
  }
}
