// CloudWatch Logs for the stack's functions (AWS JSON 1.1), what `serverless logs -f` reads: each function's
// log group `/aws/lambda/<name>` has one stream, the lines its environments wrote (stdout and stderr, as Lambda
// sends them to CloudWatch), each with the time it was written. The lines are also in the function's log file.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AwsError } from '../aws/errors.js';
import { jsonObjectOf, readBody, sendJson } from '../http-util.js';
import type { FunctionRuntime } from './runtime.js';

const GROUP_PREFIX = '/aws/lambda/';
export const LOG_STREAM = 'offline-stack';
const MAX_EVENTS = 10_000;

export function logsRoute(options: { region: string; account: string; runtime: FunctionRuntime }) {
  const { runtime } = options;
  const eventsOf = (input: Record<string, unknown>) => {
    const group = String(input.logGroupName ?? '');
    const name = group.startsWith(GROUP_PREFIX) ? group.slice(GROUP_PREFIX.length) : '';
    if (!name || !runtime.definition(name)) {
      throw new AwsError('ResourceNotFoundException', 'The specified log group does not exist.');
    }
    return runtime.logEvents(name);
  };
  const operations: Record<string, (input: Record<string, unknown>) => Record<string, unknown>> = {
    DescribeLogStreams: (input) => {
      const events = eventsOf(input);
      if (events.length === 0) return { logStreams: [] };
      return {
        logStreams: [
          {
            logStreamName: LOG_STREAM,
            creationTime: events[0]?.timestamp,
            firstEventTimestamp: events[0]?.timestamp,
            lastEventTimestamp: events.at(-1)?.timestamp,
            lastIngestionTime: events.at(-1)?.timestamp,
            arn: `arn:aws:logs:${options.region}:${options.account}:log-group:${String(input.logGroupName)}:log-stream:${LOG_STREAM}`,
          },
        ],
      };
    },
    FilterLogEvents: (input) => {
      const start = Number(input.startTime ?? 0);
      const end = input.endTime === undefined ? Number.POSITIVE_INFINITY : Number(input.endTime);
      const pattern =
        typeof input.filterPattern === 'string' ? input.filterPattern.replace(/^"|"$/g, '') : '';
      const offset = Number(input.nextToken ?? 0);
      const limit = Math.min(Number(input.limit ?? MAX_EVENTS), MAX_EVENTS);
      const matching = eventsOf(input).filter(
        (event) =>
          event.timestamp >= start && event.timestamp <= end && (!pattern || event.message.includes(pattern)),
      );
      const page = matching.slice(offset, offset + limit);
      return {
        events: page.map((event, index) => ({
          logStreamName: LOG_STREAM,
          timestamp: event.timestamp,
          ingestionTime: event.timestamp,
          message: event.message,
          eventId: String(offset + index),
        })),
        ...(offset + limit < matching.length ? { nextToken: String(offset + limit) } : {}),
        searchedLogStreams: [{ logStreamName: LOG_STREAM, searchedCompletely: true }],
      };
    },
  };
  return async (req: IncomingMessage, res: ServerResponse, _url: URL, requestId: string): Promise<void> => {
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.slice(target.indexOf('.') + 1);
    const raw = (await readBody(req, 64 * 1024)).toString('utf8');
    const handler = Object.hasOwn(operations, operation) ? operations[operation] : undefined;
    if (!handler) {
      throw new AwsError(
        'UnknownOperationException',
        `The offline stack's CloudWatch Logs serves DescribeLogStreams and FilterLogEvents of its functions' log groups, not ${operation.slice(0, 100) || 'this operation'}`,
      );
    }
    const input = jsonObjectOf(
      raw,
      () => new AwsError('SerializationException', 'Request body must be a JSON object'),
    );
    sendJson(res, 200, handler(input), { 'x-amzn-requestid': requestId }, 'application/x-amz-json-1.1');
  };
}
