// SageMaker control plane (AWS JSON 1.1, `X-Amz-Target: SageMaker.<Operation>`): the operations the stages call,
// with the API's request/response shapes, name validation, error types and status life cycles. Jobs and
// endpoints run as local processes; every state change is emitted on the bus in the shape AWS emits. The
// operations live by resource family (job-, registry- and endpoint-operations.ts); this class keeps the
// state, the tags, the background work and the HTTP edge.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { AwsError, validationError } from '../aws/errors.js';
import { FaultInjector } from '../faults.js';
import { readBody, sendJson } from '../http-util.js';
import { ProcessTracker } from './containers.js';
import { endpointOperations } from './endpoint-operations.js';
import { jobOperations } from './job-operations.js';
import {
  type Endpoint,
  type ModelPackage,
  type ModelPackageGroup,
  notFound,
  type Operations,
  type Plane,
  type SimpleResource,
  type Tag,
} from './plane.js';
import { registryOperations } from './registry-operations.js';
import type { ProcessingJob, ServiceContext, TrainingJob } from './resources.js';
import { type Input, withoutUndefined } from './resources.js';
import { invoke, stopDeployment } from './serving.js';
import { ENTITY_NAME, requireField } from './validation.js';

const MAX_CALLS = 20_000;

export class SageMakerControlPlane implements Plane {
  readonly trainingJobs = new Map<string, TrainingJob>();
  readonly processingJobs = new Map<string, ProcessingJob>();
  readonly groups = new Map<string, ModelPackageGroup>();
  readonly packages = new Map<string, ModelPackage>();
  readonly models = new Map<string, SimpleResource>();
  readonly endpointConfigs = new Map<string, SimpleResource>();
  readonly endpoints = new Map<string, Endpoint>();
  /** Every operation served over HTTP, in order (the stack's own set-up calls are not in it). */
  readonly calls: { operation: string; at: number; error?: string }[] = [];
  readonly clientTokens = new Map<string, string>();
  private readonly tags = new Map<string, Tag[]>();
  private readonly running = new Set<Promise<unknown>>();
  private readonly stopped = new AbortController();
  readonly stopping: AbortSignal = this.stopped.signal;

  constructor(
    readonly context: ServiceContext,
    /** Faults to inject into the calls this control plane serves over HTTP; none by default. */
    readonly faults = new FaultInjector(),
  ) {}

  async stop(): Promise<void> {
    this.stopped.abort();
    for (const job of [...this.trainingJobs.values(), ...this.processingJobs.values()]) {
      if (job.child) {
        job.stopRequested = true;
        ProcessTracker.kill(job.child);
      }
    }
    for (const endpoint of this.endpoints.values()) if (endpoint.live) await stopDeployment(endpoint.live);
    await Promise.allSettled([...this.running]);
  }

  track(promise: Promise<unknown>): void {
    this.running.add(promise);
    void promise.finally(() => this.running.delete(promise));
  }

  async handle(req: IncomingMessage, res: ServerResponse, _url: URL, requestId: string): Promise<void> {
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith('SageMaker.') ? target.slice('SageMaker.'.length) : '';
    const raw = await readBody(req, 8 * 1024 * 1024);
    let input: unknown;
    try {
      input = raw.length ? JSON.parse(raw.toString('utf8')) : {};
    } catch {
      throw new AwsError('SerializationException', 'Request body is not valid JSON');
    }
    // Every operation's input is a structure: `null`, a list or a string is refused as AWS does.
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw new AwsError('SerializationException', 'Request body must be a JSON object');
    }
    const handler = Object.hasOwn(this.operations, operation) ? this.operations[operation] : undefined;
    if (!handler) {
      throw new AwsError(
        'UnknownOperationException',
        `The local SageMaker does not implement ${target.slice(0, 200) || 'this operation'}`,
      );
    }
    const call: (typeof this.calls)[number] = { operation, at: Date.now() };
    this.calls.push(call);
    if (this.calls.length > MAX_CALLS) this.calls.splice(0, this.calls.length - MAX_CALLS);
    let output: Input;
    try {
      const fault = this.faults.sageMakerFault(operation, input as Input);
      if (fault) throw fault;
      output = await handler(input as Input);
    } catch (error) {
      call.error = error instanceof AwsError ? error.code : String(error);
      throw error;
    }
    sendJson(res, 200, output, { 'x-amzn-requestid': requestId }, 'application/x-amz-json-1.1');
  }

  /** Runs one control-plane operation for the stack itself (resources that CloudFormation declares). */
  async call(operation: string, input: Input): Promise<unknown> {
    const handler = this.operations[operation];
    if (!handler)
      throw new AwsError('UnknownOperationException', `The local SageMaker does not implement ${operation}`);
    return handler(input);
  }

  /** SageMaker Runtime: POST /endpoints/<name>/invocations */
  handleRuntime(req: IncomingMessage, res: ServerResponse, url: URL, requestId: string): Promise<void> {
    const name = decodeURIComponent(url.pathname.split('/')[2] ?? '');
    const endpoint = this.endpoints.get(name);
    if (!endpoint?.live || !['InService', 'Updating'].includes(endpoint.status)) {
      req.resume();
      throw new AwsError('ValidationError', `Endpoint ${name} of account ${this.context.account} not found.`);
    }
    if (!url.pathname.endsWith('/invocations')) {
      throw new AwsError('ValidationError', 'The local stack serves only synchronous InvokeEndpoint');
    }
    return invoke(this.context, endpoint.live, name, req, res, requestId);
  }

  private readonly operations: Operations = {
    ...jobOperations(this),
    ...registryOperations(this),
    ...endpointOperations(this),
    AddTags: (input) => {
      const arn = String(requireField(input, 'ResourceArn'));
      this.requireArn(arn);
      const tags = requireField<Tag[]>(input, 'Tags');
      this.setTags(arn, tags, true);
      return { Tags: tags };
    },
    ListTags: (input) => {
      const arn = String(requireField(input, 'ResourceArn'));
      this.requireArn(arn);
      const tags = this.tags.get(arn) ?? [];
      const offset = input.NextToken
        ? Number(Buffer.from(String(input.NextToken), 'base64url').toString('utf8'))
        : 0;
      if (!Number.isInteger(offset) || offset < 0) throw validationError('Invalid pagination token');
      const max = Number(input.MaxResults ?? 50);
      const page = tags.slice(offset, offset + max);
      const next =
        offset + max < tags.length ? Buffer.from(String(offset + max)).toString('base64url') : undefined;
      return withoutUndefined({ Tags: page, NextToken: next });
    },
    DeleteTags: (input) => {
      const arn = String(requireField(input, 'ResourceArn'));
      this.requireArn(arn);
      const keys = new Set(requireField<string[]>(input, 'TagKeys'));
      this.tags.set(
        arn,
        (this.tags.get(arn) ?? []).filter((tag) => !keys.has(tag.Key)),
      );
      return {};
    },
  };

  private allArns(): Set<string> {
    const arns = new Set<string>();
    for (const collection of [
      this.trainingJobs,
      this.processingJobs,
      this.groups,
      this.packages,
      this.models,
      this.endpointConfigs,
      this.endpoints,
    ]) {
      for (const item of collection.values()) arns.add((item as { arn: string }).arn);
    }
    return arns;
  }

  private requireArn(arn: string): void {
    if (!this.allArns().has(arn)) throw notFound(`Resource ${arn} does not exist.`);
  }

  setTags(arn: string, tags: unknown, merge = false): void {
    if (tags === undefined) return;
    if (!Array.isArray(tags)) throw validationError('Tags must be a list');
    const existing = merge ? (this.tags.get(arn) ?? []) : [];
    const byKey = new Map(existing.map((tag) => [tag.Key, tag] as const));
    for (const tag of tags as Tag[]) {
      if (typeof tag.Key !== 'string' || tag.Key.length < 1 || tag.Key.length > 128) {
        throw validationError(
          "1 validation error detected: Value at 'tags.member.key' failed to satisfy constraint: Member must have length between 1 and 128",
        );
      }
      byKey.set(tag.Key, { Key: tag.Key, Value: String(tag.Value ?? '') });
    }
    if (byKey.size > 50) throw new AwsError('ResourceLimitExceeded', 'A resource can have at most 50 tags');
    this.tags.set(arn, [...byKey.values()]);
  }

  tagMap(arn: string): Record<string, string> {
    return Object.fromEntries((this.tags.get(arn) ?? []).map((tag) => [tag.Key, tag.Value]));
  }

  /** A wait that ends `ms` after now (not after its own call), or when the stack stops. */
  settleAfter(ms: number): () => Promise<void> {
    const settleAt = Date.now() + ms;
    return () =>
      sleep(Math.max(0, settleAt - Date.now()), undefined, { signal: this.stopping }).catch(() => {});
  }
}

export { ENTITY_NAME };
