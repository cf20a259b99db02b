// biome-ignore-all lint/suspicious/noTemplateCurlyInString: serverless.yml variables, written as the files have them
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { packageKey, prunePackages } from '../../src/cloudformation/packaged.js';

describe('Function: packageKey', () => {
  let root: string;
  let service: string;
  const options = (env: Record<string, string | undefined> = {}) => ({
    stage: 'local',
    region: 'us-east-1',
    env,
    cacheDir: path.join(root, 'cache'),
    endpoint: 'http://127.0.0.1:1',
  });

  beforeEach(() => {
    // Prepare: a service that includes a file of its workspace, each reading an env value
    root = mkdtempSync(path.join(tmpdir(), 'package-key-'));
    service = path.join(root, 'packages', 'svc');
    mkdirSync(path.join(service, 'src'), { recursive: true });
    mkdirSync(path.join(service, 'tests'), { recursive: true });
    writeFileSync(path.join(root, 'pipeline.yml'), "name: ${env:PREFIX, 'mlpipe'}-${sls:stage}\n");
    writeFileSync(
      path.join(service, 'serverless.yml'),
      "service: svc\ncustom:\n  pipeline: ${file(../../pipeline.yml)}\n  image: ${env:IMAGE, ''}\n",
    );
    writeFileSync(path.join(service, 'src', 'handler.ts'), 'export const main = () => 1;\n');
    writeFileSync(path.join(service, 'tests', 'handler.test.ts'), '// a test\n');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('changes with the sources, an included file and the env values the configuration reads', () => {
    // Act
    const before = packageKey(service, options());
    writeFileSync(path.join(service, 'src', 'handler.ts'), 'export const main = () => 2;\n');
    const sourceChanged = packageKey(service, options());
    writeFileSync(path.join(root, 'pipeline.yml'), "name: ${env:PREFIX, 'other'}-${sls:stage}\n");
    const includedChanged = packageKey(service, options());
    const envChanged = packageKey(service, options({ IMAGE: 'repo:v2' }));
    const includedEnvChanged = packageKey(service, options({ PREFIX: 'churn' }));

    // Assess
    const keys = [before, sourceChanged, includedChanged, envChanged, includedEnvChanged];
    expect(new Set(keys).size).toBe(keys.length);
    for (const key of keys) expect(key).toMatch(/^[0-9a-f]{32}$/);
  });

  it('stays the same for what no package reads: tests, and env values the configuration does not name', () => {
    // Act
    const before = packageKey(service, options());
    writeFileSync(path.join(service, 'tests', 'handler.test.ts'), '// another test\n');
    const after = packageKey(service, options({ UNRELATED: 'x', JEST_WORKER_ID: '3' }));

    // Assess
    expect(after).toBe(before);
  });

  it('differs by stage and region', () => {
    // Act + Assess
    const local = packageKey(service, options());
    expect(packageKey(service, { ...options(), stage: 'dev' })).not.toBe(local);
    expect(packageKey(service, { ...options(), region: 'eu-west-1' })).not.toBe(local);
  });
});

describe('Function: prunePackages', () => {
  it('keeps the newest packages of one service and stage, and no one else is touched', () => {
    // Prepare: five packages of svc-local, one of svc-local-2, one folder of another kind
    const cache = mkdtempSync(path.join(tmpdir(), 'package-cache-'));
    const key = (n: number) => String(n).repeat(32).slice(0, 32);
    for (const n of [1, 2, 3, 4, 5]) {
      const dir = path.join(cache, `svc-local-${key(n)}`);
      mkdirSync(dir);
      utimesSync(dir, n * 1000, n * 1000);
    }
    mkdirSync(path.join(cache, `svc-local-2-${key(1)}`));
    mkdirSync(path.join(cache, 'svc-local-notes'));

    // Act
    prunePackages(cache, 'svc-local-', 2);

    // Assess
    expect(readdirSync(cache).sort()).toEqual(
      [`svc-local-${key(4)}`, `svc-local-${key(5)}`, `svc-local-2-${key(1)}`, 'svc-local-notes'].sort(),
    );
    rmSync(cache, { recursive: true, force: true });
  });
});
