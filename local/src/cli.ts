#!/usr/bin/env node
// `pnpm stack [--port N] [--dir D] [--empty]` runs the offline stack in the foreground;
// `pnpm stack push <folder> --repository <name> [--tag <tag>]` pushes a local image to a running stack.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseFaults } from './faults.js';
import { startStack } from './stack.js';

const USAGE = `usage:
  stack [--port 4566] [--dir .local]                      run the offline stack in the foreground
        [--empty]                                         with nothing deployed: deploy the services to it with
                                                          \`serverless deploy --stage local\`
        [--faults '<json>' | --faults @faults.json]       inject faults, e.g. '{"throttle": {"share": 0.3}}'
  stack push <folder> --repository <name> [--tag latest]  push a local image to the running stack
        [--endpoint http://127.0.0.1:4566]`;

async function serve(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string', default: '4566' },
      dir: { type: 'string', default: '.local' },
      faults: { type: 'string' },
      empty: { type: 'boolean', default: false },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be a port number, not ${values.port}`);
  const faults =
    values.faults === undefined
      ? undefined
      : parseFaults(
          values.faults.startsWith('@') ? readFileSync(values.faults.slice(1), 'utf8') : values.faults,
        );
  const stack = await startStack({
    port,
    dir: values.dir,
    ...(faults ? { faults } : {}),
    ...(values.empty ? { services: [] } : {}),
  });
  console.log(`stack ready in ${stack.readyMs} ms; files under ${stack.dir}`);
  console.log(`ready AWS_ENDPOINT_URL=${stack.endpoint}`);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping the stack and every process it started`);
    stack.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

async function push(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      repository: { type: 'string' },
      tag: { type: 'string', default: 'latest' },
      endpoint: { type: 'string' },
    },
  });
  const [folder] = positionals;
  if (!folder || !values.repository) throw new Error(`push needs a folder and --repository\n${USAGE}`);
  const endpoint = values.endpoint ?? process.env.AWS_ENDPOINT_URL ?? 'http://127.0.0.1:4566';
  const response = await fetch(`${endpoint}/_local/images`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      folder: new URL(folder, `file://${process.cwd()}/`).pathname,
      repository: values.repository,
      tag: values.tag,
    }),
  }).catch((error: Error) => {
    throw new Error(`no stack answers at ${endpoint} (${error.message}): start one with \`pnpm stack\``);
  });
  const body = (await response.json()) as { imageUri?: string; digest?: string; message?: string };
  if (!response.ok) throw new Error(body.message ?? `push failed with HTTP ${response.status}`);
  console.log(`pushed ${values.repository}:${values.tag} ${body.digest}`);
  console.log(body.imageUri);
}

const [command, ...rest] = process.argv.slice(2);
(command === 'push' ? push(rest) : serve(command === 'serve' ? rest : process.argv.slice(2))).catch(
  (error: unknown) => {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
