// The Lambda resource types of a deployed template, and the EventBridge rules that invoke functions: a function
// runs the code of its deployment package (the zip `serverless deploy` uploaded to the deployment bucket, as
// Lambda reads it), with the handler, environment, memory and timeout of its template; its invoke config, event
// source mappings and rules wire it as Lambda and EventBridge would.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { unzipSync } from 'fflate';
import type { EventBus } from '../events/bus.js';
import type { Scheduler } from '../events/schedules.js';
import { type FunctionDefinition, type FunctionRuntime, functionNameOf } from '../functions/runtime.js';
import type { StackLogger } from '../log.js';
import { encodeKeyPath, type S3Service } from '../s3/s3-service.js';
import { type EmulatedQueue, EventSourceMapping } from '../sqs/queue.js';
import { queueNameFromArn } from './properties.js';
import { generatedName } from './resource-types.js';
import type { Properties, ResourceContext, ResourceRecord, ResourceType } from './template.js';

export interface LambdaServices {
  region: string;
  account: string;
  /** Where deployed code is extracted: `<dir>/deployed/<function>/<sha256>/`. */
  dir: string;
  s3: S3Service;
  runtime: FunctionRuntime;
  bus: EventBus;
  schedules: Scheduler;
  queueNamed: (name: string) => EmulatedQueue;
  /** Where the event source mappings go, for the stack to stop them. */
  mappings: EventSourceMapping[];
  /** Lambda's SQS batching window, scaled as the stack's time is. */
  timeScale: number;
  logger: StackLogger;
}

const HANDLER_EXTENSIONS = ['.js', '.cjs', '.mjs'];
/** Lambda's defaults for asynchronous invocations. */
const DEFAULT_RETRIES = 2;
const DEFAULT_EVENT_AGE_SECONDS = 21_600;

/** The code of a deployment package, extracted once per content into its own folder. */
async function extractCode(
  services: LambdaServices,
  functionName: string,
  code: Properties,
): Promise<string> {
  let zip: Buffer;
  if (typeof code.ZipFile === 'string') {
    const dir = path.join(services.dir, 'deployed', functionName, 'inline');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'index.js'), code.ZipFile);
    return dir;
  }
  const bucket = String(code.S3Bucket ?? '');
  const key = String(code.S3Key ?? '');
  const answer = await services.s3.requestBytes(
    'GET',
    `/${encodeURIComponent(bucket)}/${encodeKeyPath(key)}`,
  );
  if (answer.status !== 200) {
    throw new Error(
      `Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: s3://${bucket}/${key} does not exist`,
    );
  }
  zip = answer.body;
  const sha = createHash('sha256').update(zip).digest('hex');
  const dir = path.join(services.dir, 'deployed', functionName, sha);
  if (existsSync(path.join(dir, '.complete'))) return dir;
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(new Uint8Array(zip));
  } catch (error) {
    throw new Error(
      `Could not unzip uploaded file. Please check your file, then try to upload again. (${(error as Error).message})`,
    );
  }
  await rm(dir, { recursive: true, force: true });
  for (const [name, content] of Object.entries(files)) {
    if (name.endsWith('/')) continue;
    const target = path.resolve(dir, name);
    if (!target.startsWith(`${dir}${path.sep}`))
      throw new Error(`The deployment package holds a path outside it: ${name}`);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, content);
  }
  await writeFile(path.join(dir, '.complete'), '');
  return dir;
}

function handlerFileOf(codeDir: string, handler: string): string {
  const dot = handler.lastIndexOf('.');
  const base = path.join(codeDir, handler.slice(0, dot));
  const file = HANDLER_EXTENSIONS.map((extension) => `${base}${extension}`).find((candidate) =>
    existsSync(candidate),
  );
  if (!file)
    throw new Error(
      `Runtime.ImportModuleError: Cannot find module '${handler.slice(0, dot)}' in the deployment package`,
    );
  return file;
}

export function lambdaTypes(services: LambdaServices): Record<string, ResourceType> {
  const { region, account, runtime, bus, schedules } = services;
  const functionArn = (name: string) => `arn:aws:lambda:${region}:${account}:function:${name}`;
  const versions = new Map<string, number>();

  const definitionOf = async (
    properties: Properties,
    context: ResourceContext,
    name: string,
  ): Promise<FunctionDefinition> => {
    const runtimeName = String(properties.Runtime ?? '');
    if (!runtimeName.startsWith('nodejs')) {
      throw new Error(
        `The offline stack runs Node.js functions only (nodejsNN.x), not ${runtimeName || 'a runtime-less one'}`,
      );
    }
    const handler = String(properties.Handler ?? 'index.handler');
    const codeDir = await extractCode(services, name, (properties.Code ?? {}) as Properties);
    const variables = ((properties.Environment as Properties | undefined)?.Variables ?? {}) as Record<
      string,
      unknown
    >;
    const prefix = `${context.stackName}-`;
    return {
      service: context.stackName,
      // the function's key in serverless.yml when the name is the framework's <service>-<stage>-<key>
      name: name.startsWith(prefix) ? name.slice(prefix.length) : name,
      functionName: name,
      codeDir,
      handler,
      handlerFile: handlerFileOf(codeDir, handler),
      environment: variables,
      timeoutSeconds: Number(properties.Timeout ?? 3),
      memorySize: Number(properties.MemorySize ?? 128),
      maximumRetryAttempts: DEFAULT_RETRIES,
      maximumEventAge: DEFAULT_EVENT_AGE_SECONDS,
      ...(properties.ReservedConcurrentExecutions === undefined
        ? {}
        : { reservedConcurrency: Number(properties.ReservedConcurrentExecutions) }),
    };
  };

  const lambdaFunction: ResourceType = {
    create: async (properties, context) => {
      const name =
        typeof properties.FunctionName === 'string' ? properties.FunctionName : generatedName(context, 64);
      if (runtime.definition(name)) throw new Error(`Function already exist: ${name}`);
      runtime.register(await definitionOf(properties, context, name));
      return { physicalId: name, attributes: { Arn: functionArn(name) } };
    },
    update: async (current, properties, context) => {
      if (typeof properties.FunctionName === 'string' && properties.FunctionName !== current.physicalId) {
        return lambdaFunction.create(properties, context);
      }
      const previous = runtime.definition(current.physicalId);
      const next = await definitionOf(properties, context, current.physicalId);
      // what an invoke config set stays set: it is a resource of its own
      if (previous) {
        next.maximumRetryAttempts = previous.maximumRetryAttempts;
        next.maximumEventAge = previous.maximumEventAge;
        next.onFailure = previous.onFailure;
      }
      runtime.replace(next);
      return { physicalId: current.physicalId, attributes: current.attributes };
    },
    delete: (current) => runtime.unregister(current.physicalId),
  };

  const version: ResourceType = {
    create: (properties) => {
      const name = functionNameOf(String(properties.FunctionName ?? ''));
      if (!runtime.definition(name)) throw new Error(`Function not found: ${functionArn(name)}`);
      const number = (versions.get(name) ?? 0) + 1;
      versions.set(name, number);
      return { physicalId: `${functionArn(name)}:${number}`, attributes: { Version: String(number) } };
    },
    delete: () => {},
  };

  const configure = (name: string, properties: Properties | undefined): void => {
    const definition = runtime.definition(name);
    if (!definition) throw new Error(`The function ${functionArn(name)} doesn't exist.`);
    definition.maximumRetryAttempts = Number(properties?.MaximumRetryAttempts ?? DEFAULT_RETRIES);
    definition.maximumEventAge = Number(properties?.MaximumEventAgeInSeconds ?? DEFAULT_EVENT_AGE_SECONDS);
    const destination = (
      (properties?.DestinationConfig as Properties | undefined)?.OnFailure as Properties | undefined
    )?.Destination;
    definition.onFailure = typeof destination === 'string' ? destination : undefined;
  };
  const invokeConfig: ResourceType = {
    create: (properties) => {
      const name = functionNameOf(String(properties.FunctionName ?? ''));
      configure(name, properties);
      return { physicalId: `${name}:${String(properties.Qualifier ?? '$LATEST')}` };
    },
    update: (current, properties) => {
      configure(functionNameOf(String(properties.FunctionName ?? '')), properties);
      return { physicalId: current.physicalId };
    },
    delete: (current) => {
      const name = current.physicalId.slice(0, current.physicalId.lastIndexOf(':'));
      if (runtime.definition(name)) configure(name, undefined);
    },
  };

  const mappingsById = new Map<string, EventSourceMapping>();
  const eventSourceMapping: ResourceType = {
    create: (properties, context) => {
      const source = String(properties.EventSourceArn ?? '');
      if (!source.startsWith('arn:aws:sqs:'))
        throw new Error(`The offline stack maps SQS queues only, not ${source}`);
      const name = functionNameOf(String(properties.FunctionName ?? ''));
      if (!runtime.definition(name)) throw new Error(`Function does not exist: ${functionArn(name)}`);
      const id = `${context.stackName}-${context.logicalId}`;
      if (properties.Enabled === false || properties.Enabled === 'false') return { physicalId: id };
      const mapping = new EventSourceMapping(
        services.queueNamed(queueNameFromArn(source)),
        (sqsEvent, eventId) => runtime.invoke(name, sqsEvent, { source: 'sqs', eventId }),
        {
          batchSize: Number(properties.BatchSize ?? 10),
          windowMs: Number(properties.MaximumBatchingWindowInSeconds ?? 0) * 1000 * services.timeScale,
          reportBatchItemFailures: Array.isArray(properties.FunctionResponseTypes)
            ? properties.FunctionResponseTypes.includes('ReportBatchItemFailures')
            : false,
          region,
        },
        services.logger,
      );
      services.mappings.push(mapping);
      mappingsById.set(id, mapping);
      return { physicalId: id };
    },
    delete: (current: ResourceRecord) => {
      const mapping = mappingsById.get(current.physicalId);
      mapping?.stop();
      mappingsById.delete(current.physicalId);
      if (mapping) services.mappings.splice(services.mappings.indexOf(mapping), 1);
    },
  };

  /** What a rule's target does with an event: a function invoked asynchronously, or a queue sent the event. */
  const deliverTo =
    (source: 'eventbridge' | 'schedule') =>
    (target: Properties) =>
    (event: { id: string } & Record<string, unknown>) => {
      const arn = String(target.Arn ?? '');
      const input = typeof target.Input === 'string' ? (JSON.parse(target.Input) as unknown) : event;
      if (arn.startsWith('arn:aws:lambda:')) {
        runtime.invokeAsync(functionNameOf(arn), input, { source, eventId: event.id });
      } else if (arn.startsWith('arn:aws:sqs:')) {
        services.queueNamed(queueNameFromArn(arn)).send(JSON.stringify(input));
      } else services.logger.warn('events', `target ${arn} is neither a function nor a queue of the stack`);
    };
  const rule: ResourceType = {
    create: (properties, context) => {
      const name = typeof properties.Name === 'string' ? properties.Name : generatedName(context, 64);
      const scheduled = typeof properties.ScheduleExpression === 'string';
      const targets = ((properties.Targets as Properties[] | undefined) ?? []).map(
        deliverTo(scheduled ? 'schedule' : 'eventbridge'),
      );
      const enabled = String(properties.State ?? 'ENABLED') === 'ENABLED';
      const fire = (event: { id: string } & Record<string, unknown>) => {
        for (const target of targets) target(event);
      };
      if (enabled && typeof properties.ScheduleExpression === 'string') {
        schedules.add({
          name,
          expression: properties.ScheduleExpression,
          targets: ((properties.Targets as Properties[] | undefined) ?? []).map((target) =>
            String(target.Arn ?? ''),
          ),
          target: (event) => fire(event as never),
        });
      } else if (enabled && properties.EventPattern !== undefined) {
        const pattern =
          typeof properties.EventPattern === 'string'
            ? JSON.parse(properties.EventPattern)
            : properties.EventPattern;
        bus.addRule({ name, pattern, target: (event) => fire(event as never) });
      }
      return { physicalId: name, attributes: { Arn: `arn:aws:events:${region}:${account}:rule/${name}` } };
    },
    delete: (current) => {
      bus.removeRule(current.physicalId);
      schedules.remove(current.physicalId);
    },
  };
  rule.update = async (current, properties, context) => {
    await rule.delete(current, context);
    return rule.create({ ...properties, Name: properties.Name ?? current.physicalId }, context);
  };

  return {
    'AWS::Lambda::Function': lambdaFunction,
    'AWS::Lambda::Version': version,
    'AWS::Lambda::EventInvokeConfig': invokeConfig,
    'AWS::Lambda::EventSourceMapping': eventSourceMapping,
    'AWS::Events::Rule': rule,
  };
}
