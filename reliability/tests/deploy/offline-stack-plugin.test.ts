/**
 * The offline-stack plugin (tools/serverless) points stage `local`, and only it, at the offline stack: any other
 * stage's deploy is left exactly as it was, its environment untouched.
 */
import { createRequire } from 'node:module';

interface Plugin {
  new (
    serverless: unknown,
    options: { stage?: string },
  ): {
    hooks?: Record<string, () => unknown>;
  };
  offlineEnvironment(env: Record<string, string | undefined>): Record<string, string>;
}

const require = createRequire(import.meta.url);
const OfflineStack = require('../../../tools/serverless/offline-stack/index.cjs') as Plugin;
const { accountProblem } = require('../../../tools/serverless/check-pipeline-name/index.cjs') as {
  accountProblem(input: { account?: string; stage: string; command: string }): string | undefined;
};

const serverless = { service: { provider: { stage: 'dev' } }, classes: { Error } };
const VARIABLES = [
  'AWS_ENDPOINT_URL',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'SLS_AWS_MONITORING_FREQUENCY',
  'AWS_PROFILE',
];

describe('Plugin: offline-stack', () => {
  let saved: Record<string, string | undefined>;
  beforeEach(() => {
    saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));
  });
  afterEach(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it.each(['prod', 'dev', 'staging'])(
    'leaves stage %s as it is: no hook, no environment changed',
    (stage) => {
      process.env.AWS_PROFILE = 'production';
      const before = { ...process.env };

      const plugin = new OfflineStack(serverless, { stage });

      expect(plugin.hooks).toBeUndefined();
      expect(process.env).toEqual(before);
    },
  );

  it('points stage local at the stack, with test credentials and fast polling, keeping a given endpoint', () => {
    process.env.AWS_PROFILE = 'production';
    process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:4700';
    delete process.env.AWS_ACCESS_KEY_ID;

    const plugin = new OfflineStack(serverless, { stage: 'local' });

    expect(plugin.hooks?.initialize).toEqual(expect.any(Function));
    expect(process.env).toMatchObject({
      AWS_ENDPOINT_URL: 'http://127.0.0.1:4700',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: expect.any(String),
      SLS_AWS_MONITORING_FREQUENCY: '200',
    });
    expect(process.env.AWS_PROFILE).toBeUndefined();
    expect(OfflineStack.offlineEnvironment({}).AWS_ENDPOINT_URL).toBe('http://127.0.0.1:4566');
  });

  it('lets stage local deploy without AWS_ACCOUNT_ID (the stack is its account), and no other stage', () => {
    expect(accountProblem({ stage: 'local', command: 'deploy' })).toBeUndefined();
    expect(accountProblem({ stage: 'dev', command: 'deploy' })).toContain('AWS_ACCOUNT_ID is not set');
    expect(accountProblem({ stage: 'prod', command: 'deploy' })).toContain('AWS_ACCOUNT_ID is not set');
  });
});
