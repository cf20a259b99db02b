/**
 * A pipeline name that could overlap another pipeline's names is refused before anything is packaged: the
 * check-pipeline-name osls plugin (tools/serverless) agrees with PIPELINE_NAME's schema, and a real
 * `serverless package --stage train` fails with its message and leaves the packaged template alone.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '@sagemaker-pipeline/shared/config';
import { RESERVED_PIPELINE_WORDS } from '@sagemaker-pipeline/shared/naming';
import fc from 'fast-check';
import { registerModelEnv } from '../../../packages/register-model/src/config.js';

interface CheckPipelineNamePlugin {
  new (serverless: unknown): { hooks: Record<string, () => void> };
  pipelineNameProblem(name: unknown): string | undefined;
  RESERVED_WORDS: string[];
}

const require = createRequire(import.meta.url);
const plugin = require('../../../tools/serverless/check-pipeline-name/index.cjs') as CheckPipelineNamePlugin;
const { pipelineNameProblem } = plugin;

/** Whether a function accepts `name` as PIPELINE_NAME at cold start. */
function acceptedAtColdStart(name: string): boolean {
  const env = { MODEL_REGISTRY_NAME: 'mlpipe-dev', S3_EVALUATION_RESULTS_URI: 's3://bucket/evaluations' };
  try {
    loadConfig(registerModelEnv, { ...env, PIPELINE_NAME: name });
    return true;
  } catch {
    return false;
  }
}

const SERVICE_DIR = fileURLToPath(new URL('../../../packages/evaluate-model', import.meta.url));
const TEMPLATE = `${SERVICE_DIR}/.packaged/cloudformation-template-update-stack.json`;

describe('Plugin: check-pipeline-name', () => {
  it('reserves the same words as shared/src/naming.ts', () => {
    // Assess
    expect(plugin.RESERVED_WORDS).toEqual([...RESERVED_PIPELINE_WORDS]);
  });

  it.each(['mlpipe-dev', 'mlpipe-prod', 'mlpipe-local', 'mlpipe-dev-2', 'churn-trainer', 'p'.repeat(32)])(
    'accepts %s',
    (name) => {
      // Assess
      expect(pipelineNameProblem(name)).toBeUndefined();
    },
  );

  it.each([
    ['mlpipe-train', 'train', " (pipeline mlpipe's mlpipe-train-* would include them)"],
    ['mlpipe-retrain-x', 'retrain', " (pipeline mlpipe's mlpipe-retrain-* would include them)"],
    ['mlpipe-dev-eval', 'eval', " (pipeline mlpipe-dev's mlpipe-dev-eval-* would include them)"],
    ['mlpipe-Model', 'model', " (pipeline mlpipe's mlpipe-Model-* would include them)"],
    ['endpoint-x', 'endpoint', ''],
  ])(
    'refuses %s, which contains the reserved word "%s", saying why and what to do',
    (name, word, example) => {
      // Assess
      expect(pipelineNameProblem(name)).toBe(
        `Pipeline name ${name} contains the reserved word "${word}": resource names are <pipeline>-<kind>-<hash> ` +
          "(kinds train, retrain, eval, model, endpoint-config), so another pipeline's name filters, event rules " +
          `and IAM scopes could match this pipeline's resources${example}; choose another PIPELINE_PREFIX or stage`,
      );
    },
  );

  it('refuses a name the functions would refuse at cold start, and only such a name', () => {
    // Prepare
    const word = fc.oneof(
      fc.stringMatching(/^[a-zA-Z0-9]{1,12}$/),
      fc.constantFrom(...RESERVED_PIPELINE_WORDS, 'Train', 'config', 'dev'),
    );
    const names = fc.oneof(
      fc.array(word, { minLength: 1, maxLength: 6 }).map((words) => words.join('-')),
      fc.tuple(word, fc.constantFrom('--', '_', '-', ' ', '.'), word).map((parts) => parts.join('')),
      fc.string({ maxLength: 40 }),
    );

    // Assess
    fc.assert(
      fc.property(names, (name) => {
        expect(pipelineNameProblem(name) === undefined).toBe(acceptedAtColdStart(name));
      }),
      { numRuns: 3000 },
    );
  });

  it('fails the initialize hook, before any other plugin builds anything, with a ServerlessError', () => {
    // Prepare
    class ServerlessError extends Error {}
    const fakeServerless = (name: string) => ({
      service: { custom: { pipeline: { name } } },
      classes: { Error: ServerlessError },
    });

    // Assess
    expect(() => new plugin(fakeServerless('mlpipe-dev')).hooks.initialize?.()).not.toThrow();
    expect(() => new plugin(fakeServerless('mlpipe-train')).hooks.initialize?.()).toThrow(ServerlessError);
  });
});

describe('CLI: serverless package with a stage that makes a reserved pipeline name', () => {
  it('exits non-zero with the reason before anything is packaged', () => {
    // Prepare
    const packagedBefore = existsSync(TEMPLATE) ? statSync(TEMPLATE).mtimeMs : undefined;
    const { PIPELINE_PREFIX: _prefix, ...env } = process.env;
    const serverless = createRequire(`${SERVICE_DIR}/package.json`).resolve('osls/bin/serverless.js');

    // Act
    const run = spawnSync(process.execPath, [serverless, 'package', '--stage', 'train'], {
      cwd: SERVICE_DIR,
      env: { ...env, AWS_EC2_METADATA_DISABLED: 'true', SLS_TELEMETRY_DISABLED: '1', NO_COLOR: '1' },
      encoding: 'utf8',
      timeout: 50_000,
    });

    // Assess
    const output = `${run.stdout}${run.stderr}`;
    expect(run.status).not.toBe(0);
    expect(output).toContain('Pipeline name mlpipe-train contains the reserved word "train"');
    expect(output).toContain('choose another PIPELINE_PREFIX or stage');
    expect(existsSync(TEMPLATE) ? statSync(TEMPLATE).mtimeMs : undefined).toBe(packagedBefore);
  });
});
