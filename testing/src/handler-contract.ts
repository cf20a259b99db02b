/**
 * What every stage's wired handler answers alike, as one table-driven suite: a required field that is null or an
 * envelope of another kind is refused as invalid, naming the field, before any AWS call; a throttled call is
 * thrown again for Lambda to retry the event; a configuration that cannot load fails at cold start, naming the
 * variable. Each stage's handler test gives its own as data and keeps only what is its own.
 */
import { beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { Context } from 'aws-lambda';
import type { AwsStub } from 'aws-sdk-client-mock';
import type { Stage } from './env.js';

// biome-ignore lint/suspicious/noExplicitAny: any client's mock
type AnyStub = AwsStub<any, any, any>;
type Handler = (event: unknown, context: Context) => Promise<unknown>;

/** The context Lambda gives the stage's function (`deploy-model` → `deployModel`). */
export function lambdaContext(stage: Stage): Context {
  const functionName = stage.replace(/-(\w)/g, (_match, c: string) => c.toUpperCase());
  return { functionName, awsRequestId: 'req-1' } as Context;
}

export interface HandlerContract {
  stage: Stage;
  /** `main` of the stage's src/handler.ts. */
  main: Handler;
  /** Imports src/handler.ts again (its configuration loads at import): `() => import('../../src/handler.js')`. */
  load: () => Promise<unknown>;
  /** Every mocked client: none may be called for a refused event. */
  mocks: readonly AnyStub[];
  /** A valid event of the stage, fresh for each call. */
  event: () => Record<string, unknown>;
  /** Fields of its detail that the stage requires: null is refused, naming `detail.<field>`. */
  required?: string[];
  /** Envelope fields given a foreign value (`{ source: 'aws.s3' }`): refused, naming the field. */
  foreign?: Record<string, string>;
  /** The stage's scheduled sweep event, if it has one: from another source, it is refused the same way. */
  sweep?: () => Record<string, unknown>;
  /** What the mocks answer before `command` is throttled: that error must reach Lambda. */
  throttled?: { command: new (input: never) => unknown; mock: AnyStub; given?: () => void };
  /** A variable that fails the configuration at cold start (`value` undefined: removed), and the error. */
  coldStart: { variable: string; value?: string; error: string };
}

/** Registers the suite of what `spec`'s handler answers like every stage's. */
export function describeHandlerContract(spec: HandlerContract): void {
  const { main, mocks } = spec;
  const context = lambdaContext(spec.stage);
  const noCall = () => {
    for (const mock of mocks) expect(mock.calls()).toHaveLength(0);
  };

  describe(`Handler: ${spec.stage}, as every stage`, () => {
    beforeEach(() => {
      for (const mock of mocks) mock.reset();
    });

    if (spec.required?.length) {
      it.each(spec.required)(
        'returns a validation error naming %s when it is null, and makes no AWS call',
        async (field) => {
          const event = spec.event() as { detail: Record<string, unknown> };
          event.detail[field] = null;

          const result = await main(event, context);

          expect(result).toMatchObject({ status: 'invalid', issues: [{ path: `detail.${field}` }] });
          noCall();
        },
      );
    }

    const foreign = [
      ...Object.entries(spec.foreign ?? {}).map(([field, value]) => ({
        kind: 'an event',
        field,
        value,
        of: spec.event,
      })),
      ...(spec.sweep
        ? [{ kind: 'a scheduled event', field: 'source', value: 'aws.sagemaker', of: spec.sweep }]
        : []),
    ];
    for (const { kind, field, value, of } of foreign) {
      it(`refuses ${kind} whose ${field} is ${value} as invalid, naming the field, and makes no AWS call`, async () => {
        const event = { ...of(), [field]: value };

        await expect(main(event, context)).resolves.toMatchObject({
          status: 'invalid',
          issues: [{ path: field }],
        });
        noCall();
      });
    }

    const throttled = spec.throttled;
    if (throttled) {
      it(`rethrows a throttled ${throttled.command.name.replace(/Command$/, '')} so Lambda retries the event`, async () => {
        throttled.given?.();
        throttled.mock
          .on(throttled.command as never)
          .rejects(
            Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $retryable: {} }),
          );

        await expect(main(spec.event(), context)).rejects.toThrow('Rate exceeded');
      });
    }

    const { variable, value, error } = spec.coldStart;
    it(`fails at cold start with an error naming ${variable}`, async () => {
      const saved = process.env[variable];
      if (value === undefined) delete process.env[variable];
      else process.env[variable] = value;
      jest.resetModules();
      try {
        await expect(spec.load()).rejects.toThrow(error);
      } finally {
        if (saved === undefined) delete process.env[variable];
        else process.env[variable] = saved;
      }
    });
  });
}
