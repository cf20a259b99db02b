// Fault injection, off by default: the faults AWS really produces, on demand, so that tests (and anyone with
// `pnpm stack --faults '<json>'`) can see how the stage functions behave under them. The control plane asks
// the injector before each SageMaker call it serves over HTTP (the stack's own set-up calls are never
// faulted); endpoint updates and serving ask it how long to stay Updating and whether the new fleet fails.
import { AwsError } from './aws/errors.js';

export interface ThrottleFault {
  /** Share of the matching calls answered `ThrottlingException`, 0..1. */
  share: number;
  /** SageMaker operations to throttle (`ListTrainingJobs`...). Default: every control-plane operation. */
  operations?: string[];
}

export interface ResourceLimitFault {
  /** The first `times` matching calls are refused. */
  times?: number;
  /** Share of the matching calls refused (after the first `times`, if both are given), 0..1. */
  share?: number;
  /** Default `['CreateTrainingJob']`; `CreateProcessingJob` and `CreateEndpoint` also have quotas. */
  operations?: string[];
}

export interface FaultOptions {
  /** Seed of the random draws for `share`s, so a run's sequence of decisions is reproducible. */
  seed?: number;
  /** `ThrottlingException` (HTTP 400, AWS JSON 1.1) on a share of SageMaker calls. */
  throttle?: ThrottleFault;
  /** `ResourceLimitExceeded` (HTTP 400), as when an account quota is used up. */
  resourceLimitExceeded?: ResourceLimitFault;
  /** An `UpdateEndpoint` keeps the endpoint `Updating` at least this long, as AWS's updates take minutes. */
  endpointUpdatingMs?: number;
  /**
   * The new fleet of an `UpdateEndpoint` fails its /ping health check (`true`: every update; `{times}`: the
   * first `times` updates), so the update rolls back to the old fleet, which keeps serving.
   */
  pingFailsOnUpdate?: boolean | { times: number };
}

export interface InjectedFault {
  fault: 'throttle' | 'resourceLimitExceeded' | 'endpointUpdating' | 'pingFailsOnUpdate';
  /** The operation or endpoint it hit. */
  target: string;
  at: string;
}

const KNOWN: Record<string, readonly string[]> = {
  '': ['seed', 'throttle', 'resourceLimitExceeded', 'endpointUpdatingMs', 'pingFailsOnUpdate'],
  throttle: ['share', 'operations'],
  resourceLimitExceeded: ['times', 'share', 'operations'],
  pingFailsOnUpdate: ['times'],
};

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function checkKeys(value: Record<string, unknown>, where: string): void {
  const known = KNOWN[where] ?? [];
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      throw new Error(
        `faults${where ? `.${where}` : ''}: unknown setting "${key}" (known: ${known.join(', ')})`,
      );
    }
  }
}

function share(value: unknown, where: string): number {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1))
    throw new Error(`faults.${where} must be a number from 0 to 1, not ${JSON.stringify(value)}`);
  return value;
}

function count(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
    throw new Error(`faults.${where} must be a whole number ≥ 0, not ${JSON.stringify(value)}`);
  return value;
}

function operations(value: unknown, where: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (
    !Array.isArray(value) ||
    value.some((item) => typeof item !== 'string' || !/^[A-Z][A-Za-z]+$/.test(item))
  )
    throw new Error(
      `faults.${where} must be a list of SageMaker operation names, e.g. ["CreateTrainingJob"]`,
    );
  return value as string[];
}

/** Validates fault settings (from code or from `--faults <json>`); unknown keys are refused, not ignored. */
export function parseFaults(input: unknown): FaultOptions {
  const raw = typeof input === 'string' ? parseJson(input) : input;
  if (raw === undefined || raw === null) return {};
  if (!isObject(raw)) throw new Error('faults must be a JSON object');
  checkKeys(raw, '');
  const faults: FaultOptions = {};
  if (raw.seed !== undefined) faults.seed = count(raw.seed, 'seed');
  if (raw.throttle !== undefined) {
    if (!isObject(raw.throttle)) throw new Error('faults.throttle must be an object like {"share": 0.3}');
    checkKeys(raw.throttle, 'throttle');
    const ops = operations(raw.throttle.operations, 'throttle.operations');
    faults.throttle = {
      share: share(raw.throttle.share, 'throttle.share'),
      ...(ops ? { operations: ops } : {}),
    };
  }
  if (raw.resourceLimitExceeded !== undefined) {
    const limit = raw.resourceLimitExceeded;
    if (!isObject(limit))
      throw new Error('faults.resourceLimitExceeded must be an object like {"times": 1} or {"share": 0.5}');
    checkKeys(limit, 'resourceLimitExceeded');
    if (limit.times === undefined && limit.share === undefined)
      throw new Error('faults.resourceLimitExceeded needs "times" or "share"');
    const ops = operations(limit.operations, 'resourceLimitExceeded.operations');
    faults.resourceLimitExceeded = {
      ...(limit.times !== undefined ? { times: count(limit.times, 'resourceLimitExceeded.times') } : {}),
      ...(limit.share !== undefined ? { share: share(limit.share, 'resourceLimitExceeded.share') } : {}),
      ...(ops ? { operations: ops } : {}),
    };
  }
  if (raw.endpointUpdatingMs !== undefined)
    faults.endpointUpdatingMs = count(raw.endpointUpdatingMs, 'endpointUpdatingMs');
  if (raw.pingFailsOnUpdate !== undefined) {
    const ping = raw.pingFailsOnUpdate;
    if (typeof ping === 'boolean') faults.pingFailsOnUpdate = ping;
    else if (isObject(ping)) {
      checkKeys(ping, 'pingFailsOnUpdate');
      faults.pingFailsOnUpdate = { times: count(ping.times, 'pingFailsOnUpdate.times') };
    } else throw new Error('faults.pingFailsOnUpdate must be true, false or {"times": N}');
  }
  return faults;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`faults is not JSON: ${(error as Error).message}`);
  }
}

/** mulberry32: a tiny seeded generator, enough for "30% of the calls" and for repeatable generated requests. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const MAX_LOG = 5_000;

export class FaultInjector {
  /** The faults in force; `set` changes them while the stack runs. */
  options: FaultOptions;
  /** What was injected, in order (the newest 5,000). */
  readonly injected: InjectedFault[] = [];
  /** How many of each fault were injected. */
  readonly counts: Record<InjectedFault['fault'], number> = {
    throttle: 0,
    resourceLimitExceeded: 0,
    endpointUpdating: 0,
    pingFailsOnUpdate: 0,
  };
  private readonly draw: () => number;
  private limitCalls = 0;
  private updates = 0;

  constructor(options: FaultOptions = {}) {
    this.options = parseFaults(options);
    this.draw = seededRandom(this.options.seed ?? Math.floor(Math.random() * 2 ** 32));
  }

  /** Changes the faults while the stack runs (a test lets a fault pass, say), validated as at start. */
  set(options: FaultOptions): void {
    this.options = parseFaults(options);
  }

  /** True when any fault is switched on. */
  get enabled(): boolean {
    const { throttle, resourceLimitExceeded, endpointUpdatingMs, pingFailsOnUpdate } = this.options;
    return Boolean(
      (throttle && throttle.share > 0) ||
        (resourceLimitExceeded &&
          ((resourceLimitExceeded.times ?? 0) > 0 || (resourceLimitExceeded.share ?? 0) > 0)) ||
        (endpointUpdatingMs ?? 0) > 0 ||
        pingFailsOnUpdate,
    );
  }

  private record(fault: InjectedFault['fault'], target: string): void {
    this.counts[fault] += 1;
    this.injected.push({ fault, target, at: new Date().toISOString() });
    if (this.injected.length > MAX_LOG) this.injected.splice(0, this.injected.length - MAX_LOG);
  }

  /**
   * The error to answer instead of serving a SageMaker `operation`, or undefined to serve it. Throttling is
   * decided first, as AWS's front door throttles before the service looks at the request.
   */
  sageMakerFault(operation: string, input: Record<string, unknown>): AwsError | undefined {
    const { throttle, resourceLimitExceeded: limit } = this.options;
    if (throttle && throttle.share > 0 && (!throttle.operations || throttle.operations.includes(operation))) {
      if (this.draw() < throttle.share) {
        this.record('throttle', operation);
        // What SageMaker answers: HTTP 400, `ThrottlingException`, "Rate exceeded"; the SDKs retry it with
        // their throttling back-off (the code is in their list of throttling errors).
        return new AwsError('ThrottlingException', 'Rate exceeded');
      }
    }
    if (limit && (limit.operations ?? ['CreateTrainingJob']).includes(operation)) {
      this.limitCalls += 1;
      const refused =
        this.limitCalls <= (limit.times ?? 0) || (limit.share !== undefined && this.draw() < limit.share);
      if (refused) {
        this.record('resourceLimitExceeded', operation);
        return new AwsError('ResourceLimitExceeded', resourceLimitMessage(operation, input));
      }
    }
    return undefined;
  }

  /** How long an update that starts now must stay `Updating`, at least. */
  updatingHoldMs(endpointName: string): number {
    const ms = this.options.endpointUpdatingMs ?? 0;
    if (ms > 0) this.record('endpointUpdating', endpointName);
    return ms;
  }

  /** True when the new fleet of this update must fail its health check. */
  failPingOnUpdate(endpointName: string): boolean {
    const ping = this.options.pingFailsOnUpdate;
    this.updates += 1;
    const fail = ping === true || (typeof ping === 'object' && this.updates <= ping.times);
    if (fail) this.record('pingFailsOnUpdate', endpointName);
    return fail;
  }
}

/** The message SageMaker gives when an instance quota is used up, for the request's instance type. */
function resourceLimitMessage(operation: string, input: Record<string, unknown>): string {
  const resources = (input.ResourceConfig ??
    (input.ProcessingResources as Record<string, unknown> | undefined)?.ClusterConfig) as
    | { InstanceType?: unknown; InstanceCount?: unknown }
    | undefined;
  const usage: Record<string, string> = {
    CreateTrainingJob: 'training job usage',
    CreateProcessingJob: 'processing job usage',
    CreateEndpoint: 'endpoint usage',
  };
  const instanceType = typeof resources?.InstanceType === 'string' ? resources.InstanceType : 'ml.m5.large';
  const delta = Number(resources?.InstanceCount ?? 1) || 1;
  return (
    `The account-level service limit '${instanceType} for ${usage[operation] ?? `${operation} usage`}' is 0 Instances, ` +
    `with current utilization of 0 Instances and a request delta of ${delta} Instances. Please use AWS Service ` +
    'Quotas to request an increase for this quota. If AWS Service Quotas is not available, contact AWS support ' +
    'to request an increase for this quota.'
  );
}
