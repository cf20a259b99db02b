// `pnpm test` and `pnpm start` begin with tools/prerequisites.mjs: it names what is missing, on its first line,
// with the command that installs it, before anything runs. And the tests themselves run on .nvmrc's Node.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const root = path.resolve(import.meta.dirname, '..', '..', '..');
const script = path.join(root, 'tools', 'prerequisites.mjs');
const wanted = readFileSync(path.join(root, '.nvmrc'), 'utf8').trim();

function run(purpose: string, env: Record<string, string>) {
  const result = spawnSync(process.execPath, [script, purpose], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return { status: result.status, first: `${result.stdout}${result.stderr}`.split('\n')[0] ?? '' };
}

describe('prerequisites', () => {
  it("runs the tests on .nvmrc's Node, installed by pnpm install", () => {
    expect(process.version).toBe(`v${wanted}`);
    expect(wanted.split('.')[0]).toBe('24');
  });

  it('names a missing Chromium on the first line, with the command that installs it, and fails', () => {
    // Act
    const result = run('test', { CHROMIUM_PATH: path.join(root, 'no-such-chromium') });

    // Assess
    expect(result.status).toBe(1);
    expect(result.first).toContain('Chromium not found at');
    expect(result.first).toContain('apt-get install -y chromium');
    expect(result.first).not.toContain('Node v');
  });

  it('passes with what it needs, and says which Node and which browser', () => {
    // Act: any executable stands for the browser; its version is only printed
    const result = run('test', { CHROMIUM_PATH: process.execPath });

    // Assess
    expect(result).toEqual({ status: 0, first: expect.stringContaining(`prerequisites: Node v${wanted}`) });
  });

  it('does not ask for Chromium before pnpm start', () => {
    const result = run('start', { CHROMIUM_PATH: path.join(root, 'no-such-chromium') });

    expect(result.status).toBe(0);
  });

  it('names a Node of another major, and how to get the right one', async () => {
    // Prepare
    const { missingPrerequisites } = (await import(pathToFileURL(script).href)) as {
      missingPrerequisites(input: Record<string, string | undefined>): string[];
    };

    // Act
    const missing = missingPrerequisites({
      purpose: 'start',
      nodeVersion: 'v20.20.2',
      wantedNode: `${wanted}\n`,
      chromium: undefined,
      chromiumWanted: '/usr/bin/chromium',
    });

    // Assess
    expect(missing).toEqual([
      expect.stringContaining(`Node v20.20.2 is running, the project needs v${wanted}`),
    ]);
    expect(missing[0]).toContain('pnpm install');
  });

  it('refuses an unknown purpose', () => {
    expect(run('deploy', {}).status).toBe(2);
  });
});
