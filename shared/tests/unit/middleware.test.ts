import { Logger } from '@aws-lambda-powertools/logger';
import { jest } from '@jest/globals';
import type { Context } from 'aws-lambda';
import * as v from 'valibot';
import { RetryableError, TerminalError } from '../../src/errors.js';
import { createStageHandler } from '../../src/middleware.js';

const context = {
  functionName: 'trigger-training',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:trigger-training',
  memoryLimitInMB: '256',
  functionVersion: '$LATEST',
  getRemainingTimeInMillis: () => 1000,
} as unknown as Context;

const schema = v.object({ id: v.string(), detail: v.object({ name: v.pipe(v.string(), v.minLength(1)) }) });

describe('Function: createStageHandler', () => {
  let logger: Logger;
  beforeEach(() => {
    logger = new Logger({ serviceName: 'test', logLevel: 'SILENT' });
  });

  it('passes the parsed event to the business function and returns its result', async () => {
    const fn = jest.fn(async (event: v.InferOutput<typeof schema>) => ({
      status: 'started',
      name: event.detail.name,
    }));
    const handler = createStageHandler({ schema, logger, handler: fn });

    const result = await handler({ id: 'e1', detail: { name: 'job', extra: 1 } }, context);

    expect(result).toEqual({ status: 'started', name: 'job' });
    expect(fn).toHaveBeenCalledWith({ id: 'e1', detail: { name: 'job' } }, context);
  });

  it('logs the business result with logResult, and logs nothing of the kind for a refused event', async () => {
    const logResult = jest.fn();
    const handler = createStageHandler({
      schema,
      logger,
      handler: async (event: v.InferOutput<typeof schema>) => ({
        status: 'started',
        name: event.detail.name,
      }),
      logResult,
    });

    await handler({ id: 'e1', detail: { name: 'job' } }, context);
    await handler({ id: 'e2', detail: { name: '' } }, context);

    expect(logResult.mock.calls).toEqual([[{ status: 'started', name: 'job' }]]);
  });

  it('returns a validation result naming the field and never calls the business function for a bad event', async () => {
    const fn = jest.fn(async () => ({ status: 'started' }));
    const handler = createStageHandler({ schema, logger, handler: fn });

    const result = await handler({ id: 'e1', detail: { name: 42 } }, context);

    expect(result).toMatchObject({ status: 'invalid', issues: [{ path: 'detail.name' }] });
    expect((result as { error: string }).error).toMatch(/^Invalid event: detail\.name: /);
    expect(fn).not.toHaveBeenCalled();
  });

  it('reports a terminal failure in the result', async () => {
    const handler = createStageHandler({
      schema,
      logger,
      handler: async () => {
        throw new TerminalError('training job failed: out of memory');
      },
    });

    await expect(handler({ id: 'e1', detail: { name: 'j' } }, context)).resolves.toEqual({
      status: 'failed',
      error: 'training job failed: out of memory',
    });
  });

  it('rethrows retryable and unexpected faults so Lambda retries', async () => {
    const busy = new RetryableError('endpoint is Updating');
    const retrying = createStageHandler({ schema, logger, handler: async () => Promise.reject(busy) });
    await expect(retrying({ id: 'e1', detail: { name: 'j' } }, context)).rejects.toBe(busy);

    const bug = new TypeError('x is undefined');
    const crashing = createStageHandler({ schema, logger, handler: async () => Promise.reject(bug) });
    await expect(crashing({ id: 'e1', detail: { name: 'j' } }, context)).rejects.toBe(bug);
  });

  it('logs the correlation keys with every line of the invocation and resets them after', async () => {
    const lines: Record<string, unknown>[] = [];
    // POWERTOOLS_DEV (set for tests) makes the logger print one JSON document per console call.
    const spy = jest.spyOn(console, 'info').mockImplementation((line: unknown) => {
      lines.push(JSON.parse(String(line)));
    });
    const loud = new Logger({ serviceName: 'test', logLevel: 'INFO' });
    const handler = createStageHandler({
      schema,
      logger: loud,
      correlationKeys: (event) => ({ eventId: event.id, jobName: event.detail.name }),
      handler: async () => {
        loud.info('working');
        return { status: 'ok' };
      },
    });
    try {
      await handler({ id: 'e1', detail: { name: 'job-1' } }, context);
      loud.info('after');
    } finally {
      spy.mockRestore();
    }
    const working = lines.find((l) => l.message === 'working');
    expect(working).toMatchObject({ eventId: 'e1', jobName: 'job-1', function_name: 'trigger-training' });
    const after = lines.find((l) => l.message === 'after');
    expect(after).toBeDefined();
    expect(after).not.toHaveProperty('eventId');
  });
});
