// startStack: composes the edge, S3, EventBridge, SageMaker, local images, the emulated SQS event sources and
// the stage functions into one offline stack whose every file lives under `dir`.
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CloudFormationApi } from './cloudformation/api.js';
import { CloudFormationEngine } from './cloudformation/engine.js';
import { lambdaTypes } from './cloudformation/lambda-types.js';
import { deployServices } from './cloudformation/packaged.js';
import { queueNameFromArn } from './cloudformation/properties.js';
import { resourceTypes } from './cloudformation/resource-types.js';
import { AlarmEvaluator } from './cloudwatch/alarms.js';
import { startEdge } from './edge.js';
import { EventBus } from './events/bus.js';
import { Scheduler } from './events/schedules.js';
import { FaultInjector, type FaultOptions } from './faults.js';
import { LambdaApi } from './functions/api.js';
import { logsRoute } from './functions/logs-api.js';
import { FunctionRuntime } from './functions/runtime.js';
import { ecrRoute } from './images/ecr-api.js';
import { ImageRegistry } from './images/registry.js';
import { localRoutes } from './introspection.js';
import { consoleLogger, type StackLogger } from './log.js';
import { cloudFormationElsewhere, Regional } from './regions.js';
import { type S3ObjectEvent, s3NotificationRecord } from './s3/notification-record.js';
import { ruleMatches } from './s3/notifications.js';
import { encodeKeyPath, S3Service } from './s3/s3-service.js';
import { ProcessTracker } from './sagemaker/containers.js';
import { SageMakerControlPlane } from './sagemaker/control-plane.js';
import type { ServiceContext } from './sagemaker/resources.js';
import type { InvokeClientKind } from './sagemaker/upstream.js';
import { deliveriesTo, SnsService } from './sns/topics.js';
import { SqsApi } from './sqs/api.js';
import { EmulatedQueue, type EventSourceMapping } from './sqs/queue.js';
import { stsRoute } from './sts.js';

/** An endpoint creation or blue/green update on AWS: provisioning, health checks and baking, about 8 minutes. */
const AWS_ENDPOINT_DEPLOY_MS = 8 * 60_000;
/** A training or processing job's `Starting` phase on AWS (launching its ML instances), about 3 minutes. */
const AWS_JOB_START_MS = 3 * 60_000;

export interface StackOptions {
  /** 0 picks a free port. Default 4566. */
  port?: number;
  /** Everything the stack writes lives here. Default `.local`. */
  dir?: string;
  /** A scratch folder of its own instead of `dir`, removed when the stack stops (tests, benchmarks). */
  temporary?: boolean;
  region?: string;
  account?: string;
  logger?: StackLogger;
  /**
   * Folders of the Serverless services the stack deploys, each from its `serverless package` (cached), through
   * its CloudFormation. Default: every `packages/<name>/serverless.yml` of the workspace that contains the
   * current directory.
   */
  services?: string[];
  /** Stage the services are packaged and deployed for. Default `local`. */
  stage?: string;
  /**
   * Several stages, each a pipeline of its own on the one stack (names are derived from the stage): two
   * pipelines whose names extend each other, say. Default: `[stage]`.
   */
  stages?: string[];
  /** The values `${env:...}` of the services' configuration reads when they are packaged. Default: this process's. */
  env?: Record<string, string | undefined>;
  /**
   * Stack time per AWS time, for everything that takes time on AWS: Lambda's asynchronous retries (about 1 and
   * 2 minutes) and maximum event age, SQS batching windows and visibility timeouts, schedules, and how long
   * endpoint creations and updates take (about 8 minutes), and the `Starting` phase of training and processing
   * jobs (about 3 minutes of launching instances, before the container's own run time). 0.01 replays AWS's orderings 100 times faster: an
   * endpoint update then outlasts the whole retry window, as on AWS. Without it the stack compresses: SQS and
   * schedules at 0.1, retries after 1 and 2 s, event age at 1/60, endpoints and jobs as fast as their processes start.
   */
  timeScale?: number;
  /** Scales SQS batching windows and visibility timeouts (0.1: a 60 s window lasts 6 s). Default: `timeScale`, else 0.1. */
  sqsTimeScale?: number;
  /** How long an S3 write's body may send nothing before S3 answers RequestTimeout. Default 20 s, as S3. */
  s3IdleTimeoutMs?: number;
  /** First retry delay of a failed asynchronous invocation (Lambda waits about a minute). Default 1000 ms. */
  retryDelayMs?: number;
  /** How long an endpoint's `serve` may take to answer /ping. Default 60 s. */
  endpointStartTimeoutMs?: number;
  /** The HTTP client from InvokeEndpoint to a container: `built-in` (default) or `undici`. */
  invokeClient?: InvokeClientKind;
  /**
   * Where the services' packages (`serverless package` of each, for a stage) are kept and reused while nothing
   * they depend on changes. Default: `node_modules/.cache/sagemaker-pipeline/packages` of the workspace.
   */
  packageCacheDir?: string;
  /** Local images to push once the stack is up. */
  images?: { folder: string; repository: string; tag?: string }[];
  /**
   * Objects written to the declared buckets before their notification configuration is applied: data that
   * was in the bucket before the pipeline was deployed, so it notifies nothing.
   */
  seed?: { bucket: string; key: string; body: string | Buffer }[];
  /**
   * Faults to inject (off by default): throttling, `ResourceLimitExceeded`, endpoints that stay Updating,
   * updates whose new fleet fails /ping. See `FaultOptions`.
   */
  faults?: FaultOptions;
}

export interface StackClientConfig {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

export interface Stack {
  endpoint: string;
  port: number;
  dir: string;
  region: string;
  account: string;
  /** What an AWS SDK client needs to reach this stack: its endpoint, its region and test credentials. */
  clientConfig: StackClientConfig;
  /**
   * An AWS SDK client that reaches this stack (`new Client({ ...clientConfig, ...extra })`), destroyed when the
   * stack stops: `stack.client(S3Client, { forcePathStyle: true })`.
   */
  client<T extends { destroy(): void }>(
    Client: new (config: StackClientConfig & Record<string, unknown>) => T,
    extra?: Record<string, unknown>,
  ): T;
  /** Milliseconds from the call to a listening, routed endpoint. */
  readyMs: number;
  bus: EventBus;
  s3: S3Service;
  sagemaker: SageMakerControlPlane;
  /** CloudFormation's stacks deployed to the stack (`serverless deploy`, the SDK, the CLI). */
  cloudFormation: CloudFormationEngine;
  functions: FunctionRuntime;
  images: ImageRegistry;
  queues: Map<string, EmulatedQueue>;
  /** Schedule rules of the services (`schedule` events): `schedules.run(name)` runs one now. */
  schedules: Scheduler;
  /** SNS: the services' topics and subscriptions; `sns.published` is every message published (alerts). */
  sns: SnsService;
  /** CloudWatch alarms of the services' templates (SQS queue depth is evaluated). */
  alarms: AlarmEvaluator;
  /** The fault injector: what was injected so far (`counts`, `injected`). */
  faults: FaultInjector;
  stop(): Promise<void>;
}

/** The workspace root (the folder with pnpm-workspace.yaml) above `from`, else `from`. */
export function workspaceRoot(from = process.cwd()): string {
  let current = path.resolve(from);
  for (let depth = 0; depth < 50; depth += 1) {
    if (existsSync(path.join(current, 'pnpm-workspace.yaml'))) return current;
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  return path.resolve(from);
}

/**
 * Objects that were in the buckets before the pipeline was deployed: written after the deploy, notifying nothing
 * (a bucket's notifications apply to what is written after they are configured).
 */
async function seedBuckets(s3: S3Service, seed: NonNullable<StackOptions['seed']>): Promise<void> {
  for (const object of seed) {
    const rules = s3.notifications.get(object.bucket);
    s3.notifications.delete(object.bucket);
    try {
      const { status } = await s3.request(
        'PUT',
        `/${object.bucket}/${encodeKeyPath(object.key)}`,
        Buffer.from(object.body),
      );
      if (status !== 200)
        throw new Error(`cannot seed s3://${object.bucket}/${object.key}: status ${status}`);
    } finally {
      if (rules) s3.notifications.set(object.bucket, rules);
    }
  }
}

export function discoverServices(root = workspaceRoot()): string[] {
  const packages = path.join(root, 'packages');
  if (!existsSync(packages)) return [];
  return readdirSync(packages, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(packages, entry.name, 'serverless.yml')))
    .map((entry) => path.join(packages, entry.name))
    .sort();
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const started = Date.now();
  const dir = options.temporary
    ? await mkdtemp(path.join(tmpdir(), 'sagemaker-pipeline-stack-'))
    : path.resolve(options.dir ?? '.local');
  const region = options.region ?? 'us-east-1';
  const account = options.account ?? '000000000000';
  const logger = options.logger ?? consoleLogger;
  const stage = options.stage ?? 'local';
  const stages = options.stages ?? [stage];
  const timeScale = options.sqsTimeScale ?? options.timeScale ?? 0.1;
  const awsTime = options.timeScale;
  const faults = new FaultInjector(options.faults); // validated before anything starts
  await mkdir(dir, { recursive: true });

  const tracker = new ProcessTracker();
  const bus = new EventBus(region, account);
  const queues = new Map<string, EmulatedQueue>();
  let endpoint = '';
  const runtime = new FunctionRuntime({
    dir,
    region,
    account,
    endpoint: () => endpoint,
    logger,
    tracker,
    retryDelayMs: options.retryDelayMs ?? (awsTime === undefined ? 1_000 : 60_000 * awsTime),
    timeScale: awsTime ?? 1 / 60,
    onAsyncFailure: (definition, record) => {
      const arn = definition.onFailure;
      if (typeof arn !== 'string' || !arn.startsWith('arn:aws:sqs:')) {
        if (arn !== undefined)
          logger.warn(
            'lambda',
            `${definition.name}: on-failure destination ${String(arn)} is not a queue of the stack`,
          );
        return;
      }
      queueNamed(queueNameFromArn(arn)).send(JSON.stringify(record));
    },
  });
  const schedules = new Scheduler(region, account, awsTime ?? 0.1, logger);
  const sns = new SnsService(region, account, deliveriesTo(queues), logger);
  const alarms = new AlarmEvaluator(region, account, awsTime ?? 0.1, (name) => queues.get(name), sns, logger);

  /** A queue's visibility timeout on the stack: AWS's seconds, scaled as SQS's time is. */
  const visibilityMs = (seconds: number): number => seconds * 1000 * timeScale;
  /** The queue of that name, made with SQS's defaults if it does not exist (its template configures it). */
  const queueNamed = (name: string): EmulatedQueue => {
    let queue = queues.get(name);
    if (!queue) {
      queue = new EmulatedQueue(name, `arn:aws:sqs:${region}:${account}:${name}`, visibilityMs(30));
      queues.set(name, queue);
    }
    return queue;
  };
  let s3Ref: S3Service | undefined;
  const onObjectEvent = (event: S3ObjectEvent): void => {
    logger.info('s3', `${event.eventName} s3://${event.bucket}/${event.key}`);
    for (const rule of s3Ref?.notifications.get(event.bucket) ?? []) {
      if (!ruleMatches(rule, event.eventName, event.key)) continue;
      const notification = { Records: [s3NotificationRecord(event, { region, configurationId: rule.id })] };
      if (rule.target.kind === 'queue') {
        queueNamed(queueNameFromArn(rule.target.arn)).send(JSON.stringify(notification));
      } else {
        const fn = runtime.find(rule.target.arn);
        if (fn) runtime.invokeAsync(fn.functionName, notification, { source: 's3' });
        else logger.warn('s3', `notification target ${rule.target.arn} is not a local function`);
      }
    }
  };
  const s3 = await S3Service.start({
    dir,
    region,
    ...(options.s3IdleTimeoutMs === undefined ? {} : { idleTimeoutMs: options.s3IdleTimeoutMs }),
    onObjectEvent,
    onNotificationConfigured: (bucket, rules) => {
      for (const rule of rules.filter((candidate) => candidate.target.kind === 'queue')) {
        queueNamed(queueNameFromArn(rule.target.arn)).send(
          JSON.stringify({
            Service: 'Amazon S3',
            Event: 's3:TestEvent',
            Time: new Date().toISOString(),
            Bucket: bucket,
            RequestId: Math.random().toString(16).slice(2, 18).toUpperCase(),
            HostId: Buffer.from(Math.random().toString()).toString('base64'),
          }),
        );
      }
    },
  });
  s3Ref = s3;

  const images = new ImageRegistry(path.join(dir, 'images.json'), bus, region, account);
  await images.load();
  const context: ServiceContext = {
    region,
    account,
    dir,
    endpoint: () => endpoint,
    s3,
    images,
    bus,
    tracker,
    logger,
    endpointStartTimeoutMs: options.endpointStartTimeoutMs ?? 60_000,
    invokeClient: options.invokeClient ?? 'built-in',
    endpointDeployMs: awsTime === undefined ? 0 : AWS_ENDPOINT_DEPLOY_MS * awsTime,
    jobStartMs: awsTime === undefined ? 0 : AWS_JOB_START_MS * awsTime,
  };
  if (faults.enabled) logger.warn('faults', `injecting ${JSON.stringify(faults.options)}`);
  const sagemaker = new SageMakerControlPlane(context, faults);
  const mappings: EventSourceMapping[] = [];
  let regionsRef: Regional<{ sagemaker: SageMakerControlPlane }> | undefined;
  let cloudFormationRef: CloudFormationEngine | undefined;

  const stopAll = async (): Promise<void> => {
    schedules.stop();
    alarms.stop();
    for (const mapping of mappings) mapping.stop();
    await cloudFormationRef?.settled();
    await runtime.stop();
    for (const services of regionsRef?.all() ?? [{ sagemaker }]) await services.sagemaker.stop();
    await tracker.stopAll();
    await s3.stop();
    if (options.temporary) await rm(dir, { recursive: true, force: true });
  };

  try {
    const cloudFormation = new CloudFormationEngine(region, account, {
      ...lambdaTypes({
        region,
        account,
        dir,
        s3,
        runtime,
        bus,
        schedules,
        queueNamed,
        mappings,
        timeScale,
        logger,
      }),
      ...resourceTypes({
        region,
        account,
        endpoint: () => endpoint,
        s3,
        sns,
        alarms,
        sagemaker,
        configureQueue: (declaration) => {
          const queue = queueNamed(declaration.name);
          queue.visibilityTimeoutMs = visibilityMs(declaration.visibilityTimeoutSeconds);
          if (declaration.maxReceiveCount !== undefined) queue.maxReceiveCount = declaration.maxReceiveCount;
          queue.deadLetterQueue = declaration.deadLetterQueue
            ? queueNamed(declaration.deadLetterQueue)
            : undefined;
          return queue;
        },
        deleteQueue: (name) => queues.delete(name),
      }),
    });
    cloudFormationRef = cloudFormation;
    const cloudFormationApi = new CloudFormationApi(cloudFormation, s3);
    // Each region its own services; the stack's own region holds what was provisioned, another starts empty.
    const sqsApi = new SqsApi(queues, account, () => endpoint);
    const lambdaApi = new LambdaApi(runtime);
    const regions = new Regional(region, { bus, sqs: sqsApi, sns, sagemaker, lambda: lambdaApi }, (other) => {
      const otherQueues = new Map<string, EmulatedQueue>();
      const otherBus = new EventBus(other, account);
      return {
        bus: otherBus,
        sqs: new SqsApi(otherQueues, account, () => endpoint),
        sns: new SnsService(other, account, deliveriesTo(otherQueues), logger),
        sagemaker: new SageMakerControlPlane({ ...context, region: other, bus: otherBus }, faults),
        lambda: new LambdaApi(),
      };
    });
    regionsRef = regions;
    const edge = await startEdge(options.port ?? 4566, {
      local: localRoutes({
        endpoint: () => endpoint,
        region,
        account,
        startedAt: started,
        runtime,
        bus,
        queues,
        sns,
        alarms,
        schedules,
        images,
        logger,
      }),
      s3: (req, res, url, requestId, scope) => s3.handle(req, res, url, requestId, scope),
      sagemaker: (req, res, url, requestId, scope) =>
        regions.in(scope).sagemaker.handle(req, res, url, requestId),
      sagemakerRuntime: (req, res, url, requestId, scope) =>
        regions.in(scope).sagemaker.handleRuntime(req, res, url, requestId),
      events: (req, res, url, requestId, scope) => regions.in(scope).bus.handle(req, res, url, requestId),
      sns: (req, res, url, requestId, scope) => regions.in(scope).sns.handle(req, res, url, requestId),
      sqs: (req, res, url, requestId, scope) => regions.in(scope).sqs.handle(req, res, url, requestId),
      lambda: (req, res, url, requestId, scope) => regions.in(scope).lambda.handle(req, res, url, requestId),
      cloudformation: (req, res, url, requestId, scope) => {
        if (scope !== undefined && scope !== region) throw cloudFormationElsewhere(scope, region);
        return cloudFormationApi.handle(req, res, url, requestId);
      },
      sts: stsRoute(account),
      logs: logsRoute({ region, account, runtime }),
      ecr: ecrRoute({
        region,
        account,
        repositories: () => [
          ...images.list().map((image) => image.repository),
          ...cloudFormation.stacks.flatMap((cfnStack) =>
            [...cfnStack.resources.values()]
              .filter((record) => record.type === 'AWS::ECR::Repository')
              .map((record) => record.physicalId),
          ),
        ],
      }),
    });
    endpoint = `http://127.0.0.1:${edge.port}`;
    const serviceDirs = options.services ?? discoverServices();
    await deployServices(cloudFormation, s3, serviceDirs, stages, {
      region,
      env: options.env ?? process.env,
      endpoint,
      cacheDir:
        options.packageCacheDir ??
        path.join(
          workspaceRoot(serviceDirs[0] ?? '.'),
          'node_modules',
          '.cache',
          'sagemaker-pipeline',
          'packages',
        ),
    });
    // several pipelines on one stack: each function's log file is its deployed name, not its key in serverless.yml
    if (stages.length > 1) for (const fn of runtime.list()) fn.logName = fn.functionName;
    await seedBuckets(s3, options.seed ?? []);
    const readyMs = Date.now() - started;
    for (const image of options.images ?? []) await images.push(image.folder, image.repository, image.tag);
    const server = edge.server;
    const clientConfig = { endpoint, region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
    const clients: { destroy(): void }[] = [];
    return {
      endpoint,
      clientConfig,
      client(Client, extra = {}) {
        const client = new Client({ ...clientConfig, ...extra });
        clients.push(client);
        return client;
      },
      port: edge.port,
      dir,
      region,
      account,
      readyMs,
      bus,
      s3,
      sagemaker,
      cloudFormation,
      functions: runtime,
      images,
      queues,
      schedules,
      sns,
      alarms,
      faults,
      async stop() {
        for (const client of clients.splice(0)) client.destroy();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await stopAll();
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
