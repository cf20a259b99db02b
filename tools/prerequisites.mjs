#!/usr/bin/env node
// The first line of `pnpm test` and `pnpm start`: checks what they need outside node_modules and names what is
// missing, with the command that installs it, before anything else runs.
//   node tools/prerequisites.mjs test    Node of .nvmrc's major, and Chromium (the run report test drives it)
//   node tools/prerequisites.mjs start   Node of .nvmrc's major
import { execFileSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The Chromium the report test launches: `CHROMIUM_PATH`, else Debian's. */
export const chromiumPath = (env) => env.CHROMIUM_PATH || '/usr/bin/chromium';

/**
 * What is missing for `purpose`, one sentence each (empty when nothing is): `nodeVersion` is the running
 * Node's `process.version`, `wantedNode` .nvmrc's text, `chromium` the executable's path, or undefined when
 * there is none.
 */
export function missingPrerequisites({ purpose, nodeVersion, wantedNode, chromium, chromiumWanted }) {
  const missing = [];
  const major = (version) => String(version).trim().replace(/^v/, '').split('.')[0];
  if (major(nodeVersion) !== major(wantedNode)) {
    missing.push(
      `Node ${nodeVersion} is running, the project needs v${wantedNode.trim()} (.nvmrc). Run \`pnpm install\` ` +
        'first: on Linux x64 and arm64 it installs Node from the npm registry into node_modules/.bin, which ' +
        'pnpm scripts run; elsewhere install Node 24 yourself (`nvm install`, which reads .nvmrc).',
    );
  }
  if (purpose === 'test' && chromium === undefined) {
    missing.push(
      `Chromium not found at ${chromiumWanted}: the run report test drives it. Install it with ` +
        '`sudo apt-get install -y chromium` (Debian, Ubuntu), or set CHROMIUM_PATH to a Chromium or Chrome binary.',
    );
  }
  return missing;
}

function executable(file) {
  try {
    accessSync(file, constants.X_OK);
    return file;
  } catch {
    return undefined;
  }
}

function chromiumVersion(file) {
  try {
    return execFileSync(file, ['--version'], {
      encoding: 'utf8',
      timeout: 10_000,
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return 'version unknown';
  }
}

function main(purpose) {
  if (purpose !== 'test' && purpose !== 'start') {
    console.error('usage: node tools/prerequisites.mjs test|start');
    return 2;
  }
  const wantedNode = readFileSync(path.join(root, '.nvmrc'), 'utf8');
  const chromiumWanted = chromiumPath(process.env);
  const chromium = purpose === 'test' ? executable(chromiumWanted) : undefined;
  const missing = missingPrerequisites({
    purpose,
    nodeVersion: process.version,
    wantedNode,
    chromium,
    chromiumWanted,
  });
  if (missing.length > 0) {
    console.error(`prerequisites missing for pnpm ${purpose}: ${missing.join(' ')}`);
    return 1;
  }
  const browser = chromium ? `, ${chromiumVersion(chromium)} (${chromium})` : '';
  console.log(`prerequisites: Node ${process.version} (${process.execPath})${browser}`);
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv[2]);
}
