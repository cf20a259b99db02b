#!/usr/bin/env node
/**
 * `pnpm start [--keep-running] [--port N] [--dir D]`: the services deployed to an empty offline stack with the
 * framework (`serverless deploy --stage local` through compose), then the whole life cycle on the deployed
 * functions, with the reference model.
 * Exits 0 only if the endpoint served predictions.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { StackLogger } from '@sagemaker-pipeline/local';
import { referenceData, referenceImageFolder } from './data.js';
import { type LifecycleResult, runLifecycle } from './lifecycle.js';
import { terminalProgress } from './progress.js';
import { renderReport } from './report.js';

const USAGE = `usage: pnpm start [--keep-running] [--port 0] [--dir .local/start]
  runs the whole pipeline offline: an empty stack, every service deployed to it with
  \`serverless deploy --stage local\` through serverless-compose.yml (about 25 s on 2 cores), then the life cycle
  on the deployed functions: train, evaluate, register, deploy, predict, retrain on new data`;

const workspace = fileURLToPath(new URL('../..', import.meta.url));

function table(rows: string[][]): string {
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ')).join('\n');
}

function summary(result: LifecycleResult): string {
  const metricNames = [...new Set(result.versions.flatMap((v) => Object.keys(v.metrics)))];
  const rows = [
    ['version', 'training job', 'approval', ...metricNames, 'gate decision', 'live'],
    ...result.versions.map((v) => [
      String(v.version),
      v.trainingJob,
      v.approval,
      ...metricNames.map((m) => (v.metrics[m] === undefined ? '' : (v.metrics[m] as number).toFixed(4))),
      v.decision,
      v.live ? 'yes' : '',
    ]),
  ];
  return table(rows);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      'keep-running': { type: 'boolean', default: false },
      port: { type: 'string', default: '0' },
      dir: { type: 'string', default: path.join(workspace, '.local', 'start') },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`error: --port must be a port number, not ${values.port}\n${USAGE}`);
    return 2;
  }
  const dir = path.resolve(values.dir);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const stackLog = createWriteStream(path.join(dir, 'stack.log'));
  const logger: StackLogger = {
    info: (scope, message) => stackLog.write(`[${scope}] ${message}\n`),
    warn: (scope, message) => stackLog.write(`[${scope}] WARN ${message}\n`),
  };

  console.log('Running the pipeline offline: every step below is driven by the events AWS would send.');
  const data = referenceData();
  const result = await runLifecycle({
    dir,
    port,
    imageFolder: referenceImageFolder(),
    data,
    progress: terminalProgress(),
    keepRunning: values['keep-running'],
    deployWithFramework: true,
    logger,
  });

  if (result.predictions.length) {
    console.log('\nPredictions from the endpoint on held-out rows:');
    console.log(
      table([
        ['features', 'true label', 'predicted', ''],
        ...result.predictions
          .slice(0, 8)
          .map((p) => [p.features, p.expected, p.predicted, p.expected === p.predicted ? 'ok' : 'MISS']),
      ]),
    );
    console.log(
      `accuracy on ${result.predictions.length} held-out rows: ${(result.holdoutAccuracy * 100).toFixed(1)}%`,
    );
  }
  if (result.versions.length) console.log(`\nModel versions\n${summary(result)}`);
  if (result.alerts.length) {
    console.log(`\nAlerts (what the pipeline told a human, on its SNS topic)`);
    for (const alert of result.alerts) {
      console.log(`  ${alert.subject}\n${alert.message.replace(/^/gm, '      ')}`);
    }
  }
  const reportFile = path.join(dir, 'report.html');
  await writeFile(reportFile, renderReport(result.report));
  console.log(`\nRun report: ${reportFile}`);
  console.log(`Logs: ${path.join(dir, 'stack.log')}, ${path.join(dir, 'logs')}/`);
  if (result.error) console.error(`\nThe run failed: ${result.error}`);
  console.log(`\nWall time: ${(result.wallMs / 1000).toFixed(1)} s`);

  if (values['keep-running'] && result.stack) {
    const { stack } = result;
    console.log(`
The stack and the endpoint stay up (Ctrl-C stops them).
  export AWS_ENDPOINT_URL=${stack.endpoint} AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=${stack.region}
  aws sagemaker-runtime invoke-endpoint --endpoint-name ${result.endpointName} --content-type text/csv \\
      --body '${result.predictions[0]?.features.replace(/, /g, ',') ?? '...'}' --cli-binary-format raw-in-base64-out /dev/stdout
  # SDK (JavaScript v3):
  new SageMakerRuntimeClient({}).send(new InvokeEndpointCommand({ EndpointName: '${result.endpointName}', ContentType: 'text/csv', Body: '<features>' }))
  # or curl, signed like any AWS request (any credentials):
  curl -s --aws-sigv4 'aws:amz:${stack.region}:sagemaker' --user test:test -H 'content-type: text/csv' \\
      --data '${result.predictions[0]?.features.replace(/, /g, ',') ?? '...'}' ${result.endpointUrl}`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await stack.stop();
  }
  stackLog.end();
  return result.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`error: ${error instanceof Error ? error.stack : String(error)}`);
    process.exit(1);
  },
);
