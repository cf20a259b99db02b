// The stack's own `/_local/...` routes, apart from the AWS services it emulates: what it runs and what happened
// (health, invocations, events, published messages, schedules), and the image registry's push.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AwsError } from './aws/errors.js';
import type { AlarmEvaluator } from './cloudwatch/alarms.js';
import type { EventBus } from './events/bus.js';
import type { Scheduler } from './events/schedules.js';
import type { FunctionRuntime } from './functions/runtime.js';
import { readBody, sendJson } from './http-util.js';
import type { ImageRegistry } from './images/registry.js';
import type { StackLogger } from './log.js';
import type { SnsService } from './sns/topics.js';
import type { EmulatedQueue } from './sqs/queue.js';

export interface LocalState {
  endpoint: () => string;
  region: string;
  account: string;
  /** Epoch milliseconds the stack started. */
  startedAt: number;
  runtime: FunctionRuntime;
  bus: EventBus;
  queues: Map<string, EmulatedQueue>;
  sns: SnsService;
  alarms: AlarmEvaluator;
  schedules: Scheduler;
  images: ImageRegistry;
  logger: StackLogger;
}

export function localRoutes(stack: LocalState) {
  const { region, account, runtime, bus, queues, sns, alarms, schedules, images, logger } = stack;
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const route = `${req.method} ${url.pathname}`;
    switch (route) {
      case 'GET /_local/health':
        sendJson(res, 200, {
          status: 'ok',
          endpoint: stack.endpoint(),
          region,
          account,
          services: [
            's3',
            'sagemaker',
            'sagemaker-runtime',
            'events',
            'sns',
            'sqs',
            'lambda',
            'cloudformation',
            'sts',
            'ecr',
            'logs',
          ],
          functions: runtime
            .list()
            .map((fn) => ({ name: fn.name, functionName: fn.functionName, service: fn.service })),
          rules: bus.listRules(),
          queues: [...queues.values()].map((queue) => ({
            name: queue.name,
            messages: queue.messages.length,
            deadLetters: queue.deadLetters.length,
          })),
          uptimeSeconds: Math.round((Date.now() - stack.startedAt) / 1000),
        });
        return;
      case 'GET /_local/sns':
        sendJson(res, 200, {
          topics: [...sns.topics.values()],
          published: sns.published,
          alarms: alarms.list(),
        });
        return;
      case 'GET /_local/schedules':
        sendJson(res, 200, { schedules: schedules.list() });
        return;
      case 'GET /_local/invocations':
        sendJson(res, 200, { invocations: runtime.invocations });
        return;
      case 'GET /_local/events':
        sendJson(res, 200, { events: bus.recorded });
        return;
      case 'GET /_local/images':
        sendJson(res, 200, {
          images: images.list().map((image) => ({ ...image, imageUri: images.uriOf(image) })),
        });
        return;
      case 'POST /_local/images': {
        let body: { folder?: string; repository?: string; tag?: string };
        try {
          body = JSON.parse((await readBody(req, 64 * 1024)).toString('utf8') || '{}') ?? {};
        } catch (error) {
          if (error instanceof AwsError) throw error;
          throw new AwsError('SerializationException', 'Request body is not valid JSON');
        }
        if (!body.folder || !body.repository)
          throw new AwsError('InvalidParameterException', 'folder and repository are required');
        const image = await images.push(body.folder, body.repository, body.tag);
        logger.info(
          'ecr',
          `pushed ${body.repository}:${body.tag ?? 'latest'} ${image.digest} from ${image.folder}`,
        );
        sendJson(res, 200, image);
        return;
      }
      default: {
        const run = /^POST \/_local\/schedules\/([^/]+)$/.exec(route);
        if (run?.[1]) {
          const name = decodeURIComponent(run[1]);
          if (!schedules.list().some((rule) => rule.name === name))
            throw new AwsError('ResourceNotFoundException', `No schedule rule ${name}`, 404);
          sendJson(res, 200, { event: schedules.run(name) });
          return;
        }
        throw new AwsError('NotFound', `No local route ${route}`, 404);
      }
    }
  };
}
