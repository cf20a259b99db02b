// The services' serverless.yml on the stack, as a deploy would create them: for each stage, the functions with
// their triggers (EventBridge rules, schedules, SQS event source mappings, S3 notifications) and the resources
// of their templates (queues with their redrive policies, buckets with seeded objects and notifications, topics,
// subscriptions, alarms, model package groups).
import type { AlarmEvaluator } from '../cloudwatch/alarms.js';
import type { EventBus } from '../events/bus.js';
import type { Scheduler } from '../events/schedules.js';
import type { StackLogger } from '../log.js';
import { encodeKeyPath, type S3Service } from '../s3/s3-service.js';
import type { SageMakerControlPlane } from '../sagemaker/control-plane.js';
import type { SnsService } from '../sns/topics.js';
import { type EmulatedQueue, EventSourceMapping } from '../sqs/queue.js';
import { CloudFormationView, queueNameFromArn } from './cloudformation.js';
import type { FunctionRuntime } from './runtime.js';
import { loadService, type ServiceDefinition } from './serverless-config.js';

/** What provisioning acts on: the stack's services, and where the functions' triggers and resources go. */
export interface ProvisionTarget {
  /** The stages to deploy: several stages are several pipelines on one stack, each template with its view. */
  stages: string[];
  serviceDirs: string[];
  region: string;
  account: string;
  /** The environment `${env:...}` reads. */
  env: Record<string, string | undefined>;
  /** Objects put in the buckets of the templates once they exist. */
  seed: { bucket: string; key: string; body: string | Buffer }[];
  /** Lambda's SQS batching window, scaled as the stack's time is. */
  timeScale: number;
  logger: StackLogger;
  runtime: FunctionRuntime;
  bus: EventBus;
  schedules: Scheduler;
  s3: S3Service;
  sns: SnsService;
  alarms: AlarmEvaluator;
  sagemaker: SageMakerControlPlane;
  /** The queue of that name, created if needed with its visibility timeout and redrive count. */
  queueNamed: (name: string, visibilityTimeoutSeconds?: number, maxReceiveCount?: number) => EmulatedQueue;
  /** Where the event source mappings go, for the stack to stop them. */
  mappings: EventSourceMapping[];
}

export async function provisionServices(target: ProvisionTarget): Promise<void> {
  const { stages, serviceDirs, region, account, env, seed, timeScale, logger } = target;
  const { runtime, bus, schedules, s3, sns, alarms, sagemaker, queueNamed, mappings } = target;
  for (const stage of stages) {
    const services: ServiceDefinition[] = [];
    for (const serviceDir of serviceDirs) {
      try {
        services.push(
          loadService(serviceDir, {
            stage,
            region,
            account,
            env,
            warn: (message) => logger.warn('config', message),
          }),
        );
      } catch (error) {
        logger.warn('config', `skipping ${serviceDir}: ${(error as Error).message}`);
      }
    }
    const cloudFormation = new CloudFormationView(services, region, account);
    const declaredQueues = cloudFormation.queues();
    for (const queue of declaredQueues)
      queueNamed(queue.name, queue.visibilityTimeoutSeconds, queue.maxReceiveCount);
    for (const queue of declaredQueues) {
      if (queue.deadLetterQueue) queueNamed(queue.name).deadLetterQueue = queueNamed(queue.deadLetterQueue);
    }
    for (const bucket of cloudFormation.buckets()) {
      await s3.createBucket(bucket.name);
      for (const object of seed.filter((candidate) => candidate.bucket === bucket.name)) {
        const { status } = await s3.request(
          'PUT',
          `/${bucket.name}/${encodeKeyPath(object.key)}`,
          Buffer.from(object.body),
        );
        if (status !== 200)
          throw new Error(`cannot seed s3://${bucket.name}/${object.key}: status ${status}`);
      }
      if (bucket.notifications.length) s3.setNotifications(bucket.name, bucket.notifications);
    }
    for (const topic of cloudFormation.topics()) sns.createTopic(topic);
    for (const subscription of cloudFormation.subscriptions()) {
      try {
        sns.subscribe(
          subscription.topicArn,
          subscription.protocol,
          subscription.endpoint,
          subscription.rawMessageDelivery,
        );
      } catch (error) {
        logger.warn(
          'config',
          `subscription to ${subscription.topicArn} not made: ${(error as Error).message}`,
        );
      }
    }
    for (const alarm of cloudFormation.alarms()) alarms.add(alarm);
    for (const group of cloudFormation.modelPackageGroups())
      await sagemaker.call('CreateModelPackageGroup', group);
    for (const service of services) {
      for (const fn of service.functions) {
        fn.environment = Object.fromEntries(
          Object.entries(fn.environment).map(([key, value]) => [
            key,
            cloudFormation.resolve(value, service.service) ?? '',
          ]),
        );
        fn.onFailure = cloudFormation.resolve(fn.onFailure, service.service);
        if (stages.length > 1) fn.logName = fn.functionName;
        runtime.register(fn);
        for (const [index, event] of fn.events.entries()) {
          if (event.eventBridge?.pattern && event.eventBridge.enabled !== false) {
            try {
              bus.addRule({
                name: `${fn.functionName}-rule-${index + 1}`,
                pattern: event.eventBridge.pattern,
                target: (busEvent) =>
                  runtime.invokeAsync(fn.functionName, busEvent, {
                    source: 'eventbridge',
                    eventId: busEvent.id,
                  }),
              });
            } catch (error) {
              logger.warn('config', `${fn.name}: rule ${index + 1} not routed: ${(error as Error).message}`);
            }
          }
          if (event.schedule) {
            const schedule = typeof event.schedule === 'string' ? { rate: event.schedule } : event.schedule;
            const rates = Array.isArray(schedule.rate) ? schedule.rate : [schedule.rate];
            // `off` is what tools/serverless/schedules-off removes from the deployed template
            if (
              schedule.enabled === false ||
              rates.every((rate) => String(rate).trim().toLowerCase() === 'off')
            )
              continue;
            for (const [rateIndex, rate] of rates.entries()) {
              try {
                schedules.add({
                  name: `${fn.functionName}-schedule-${index + 1}${rates.length > 1 ? `-${rateIndex + 1}` : ''}`,
                  expression: String(rate),
                  target: (scheduled) =>
                    runtime.invokeAsync(fn.functionName, schedule.input ?? scheduled, {
                      source: 'schedule',
                      eventId: scheduled.id,
                    }),
                });
              } catch (error) {
                logger.warn(
                  'config',
                  `${fn.name}: schedule ${index + 1} not run: ${(error as Error).message}`,
                );
              }
            }
          }
          if (event.sqs) {
            const sqs = typeof event.sqs === 'string' ? { arn: event.sqs } : event.sqs;
            if (sqs.enabled === false) continue;
            const arn = cloudFormation.resolve(sqs.arn, service.service);
            if (typeof arn !== 'string') {
              logger.warn(
                'config',
                `${fn.name}: cannot resolve the sqs arn ${JSON.stringify(sqs.arn)} offline`,
              );
              continue;
            }
            const queue = queueNamed(queueNameFromArn(arn));
            mappings.push(
              new EventSourceMapping(
                queue,
                (sqsEvent, eventId) => runtime.invoke(fn.functionName, sqsEvent, { source: 'sqs', eventId }),
                {
                  batchSize: Number(sqs.batchSize ?? 10),
                  windowMs: Number(sqs.maximumBatchingWindow ?? 0) * 1000 * timeScale,
                  reportBatchItemFailures: sqs.functionResponseType === 'ReportBatchItemFailures',
                  region,
                },
                logger,
              ),
            );
          }
          if (event.s3) {
            const s3Event = typeof event.s3 === 'string' ? { bucket: event.s3 } : event.s3;
            const bucket = String(cloudFormation.resolve(s3Event.bucket, service.service) ?? '');
            await s3.createBucket(bucket);
            const rule: { prefix?: string; suffix?: string } = Object.assign({}, ...(s3Event.rules ?? []));
            s3.setNotifications(bucket, [
              ...(s3.notifications.get(bucket) ?? []),
              {
                id: `${fn.name}-s3-${index + 1}`,
                target: {
                  kind: 'function',
                  arn: `arn:aws:lambda:${region}:${account}:function:${fn.functionName}`,
                },
                events: [s3Event.event ?? 's3:ObjectCreated:*'],
                ...rule,
              },
            ]);
          }
        }
      }
    }
  }
}
