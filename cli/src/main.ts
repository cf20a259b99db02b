#!/usr/bin/env node
/**
 * `pnpm run pipeline <command>`: operates a deployed pipeline with the AWS credentials and region of the
 * environment, on AWS, or on the offline stack when AWS_ENDPOINT_URL points at it. (`pnpm pipeline`, without
 * `run`, is a command of pnpm 12 itself.)
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createS3Client, createSageMakerClient } from '@sagemaker-pipeline/shared/clients';
import { pipelineNames } from '@sagemaker-pipeline/shared/contracts';
import { replayQueue } from './replay.js';
import { formatStatus, pipelineStatus } from './status.js';

const USAGE = `Usage: pnpm run pipeline <command> [options]

Commands:
  replay --queue <name|url> [--to <queue>] [--dry-run] [--max <n>] [--json]
      Hands every message of a dead-letter queue back to where it failed, then deletes it: a stage's
      on-failure record is invoked again on its function; a redriven message (infra's <pipeline>-retrain-dlq)
      is sent back to its queue (--to, default the name without -dlq). --dry-run only lists them.
  status [--stage <stage>] [--prefix <prefix>] [--endpoint <name>] [--newest <n>] [--json]
      What pipeline <prefix>-<stage> is doing (default prefix: PIPELINE_PREFIX, else mlpipe; stage: dev):
      its newest model versions with metric, approval and gate, what the endpoint serves and its status, the
      gate's newest decisions, the jobs in flight, the newest failures and its dead-letter queues. Read-only;
      --newest (default 5) bounds each list, --json prints the same as JSON for scripts.
  help
      This text.

AWS credentials and region come from the environment, as for the AWS CLI. Offline, point it at the stack:
  AWS_ENDPOINT_URL=http://127.0.0.1:4566 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1`;

class UsageError extends Error {}

export async function main(argv: string[], out = console.log, err = console.error): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'replay': {
        const { values } = parseArgs({
          args: rest,
          options: {
            queue: { type: 'string' },
            to: { type: 'string' },
            'dry-run': { type: 'boolean', default: false },
            max: { type: 'string' },
            json: { type: 'boolean', default: false },
          },
          strict: true,
        });
        if (!values.queue)
          throw new UsageError('replay needs --queue <name or URL of the dead-letter queue>');
        const max = values.max === undefined ? undefined : Number(values.max);
        if (max !== undefined && !(Number.isInteger(max) && max > 0)) {
          throw new UsageError(`--max must be a whole number above 0, not ${values.max}`);
        }
        const sqs = new SQSClient({});
        const lambda = new LambdaClient({});
        try {
          const summary = await replayQueue({
            sqs,
            lambda,
            queue: values.queue,
            ...(values.to ? { to: values.to } : {}),
            dryRun: values['dry-run'],
            ...(max ? { max } : {}),
            log: values.json ? undefined : out,
          });
          if (values.json) out(JSON.stringify(summary, null, 2));
          return summary.failed ? 1 : 0;
        } finally {
          sqs.destroy();
          lambda.destroy();
        }
      }
      case 'status': {
        const { values } = parseArgs({
          args: rest,
          options: {
            stage: { type: 'string', default: 'dev' },
            prefix: { type: 'string' },
            endpoint: { type: 'string' },
            newest: { type: 'string', default: '5' },
            json: { type: 'boolean', default: false },
          },
          strict: true,
        });
        const newest = Number(values.newest);
        if (!(Number.isInteger(newest) && newest > 0 && newest <= 100)) {
          throw new UsageError(`--newest must be a whole number from 1 to 100, not ${values.newest}`);
        }
        for (const [option, value] of [
          ['--stage', values.stage],
          ['--prefix', values.prefix],
        ] as const) {
          if (value !== undefined && !/^[a-zA-Z0-9](-?[a-zA-Z0-9])*$/.test(value)) {
            throw new UsageError(
              `${option} must be letters, digits and single hyphens, not ${JSON.stringify(value)}`,
            );
          }
        }
        const names = pipelineNames({
          stage: values.stage,
          prefix: values.prefix ?? process.env.PIPELINE_PREFIX,
        });
        const clients = { sagemaker: createSageMakerClient(), s3: createS3Client(), sqs: new SQSClient({}) };
        try {
          const status = await pipelineStatus({
            ...clients,
            names: { ...names, endpoint: values.endpoint ?? names.endpoint },
            newest,
          });
          out(values.json ? JSON.stringify(status, null, 2) : formatStatus(status));
          return 0;
        } finally {
          for (const client of Object.values(clients)) client.destroy();
        }
      }
      case undefined:
      case 'help':
      case '--help':
        out(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command ${command}`);
    }
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      err(`pipeline: ${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    const message = (error as Error).message;
    const hint = /region is missing/i.test(message) ? ' (set AWS_REGION, as for the AWS CLI)' : '';
    err(`pipeline: ${(error as Error).name}: ${message}${hint}`);
    return 1;
  }
}

// run as a program (node dist/main.js, or the `pipeline` bin's link), not when imported by a test
if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2));
}
