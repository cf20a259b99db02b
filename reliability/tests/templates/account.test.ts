/**
 * A wrong account cannot ship. pipeline.yml names the bucket and the SageMaker role the functions pass from
 * AWS_ACCOUNT_ID (the offline stack's 000000000000 when unset): packaging a stage other than the offline ones, or
 * deploying any, without it fails at once with what to set; with it, every function passes exactly the role its
 * template lets it pass, and no name of the offline account is left in any template.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_ACCOUNT } from '@sagemaker-pipeline/shared/contracts';
import {
  type CfnTemplate,
  functionRole,
  packageTemplateWith,
  roleStatements,
} from '@sagemaker-pipeline/testing/cloudformation';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const ACCOUNT = '111122223333';
const serviceDir = (service: string) => path.join(ROOT, 'packages', service);

function serverless(service: string, args: string[], env: NodeJS.ProcessEnv) {
  const bin = createRequire(`${serviceDir(service)}/package.json`).resolve('osls/bin/serverless.js');
  const run = spawnSync(process.execPath, [bin, ...args], {
    cwd: serviceDir(service),
    env: { ...env, AWS_EC2_METADATA_DISABLED: 'true', SLS_TELEMETRY_DISABLED: '1', NO_COLOR: '1' },
    encoding: 'utf8',
    timeout: 50_000,
  });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe('CLI: a stage that deploys needs AWS_ACCOUNT_ID', () => {
  const { AWS_ACCOUNT_ID: _account, ...withoutAccount } = process.env;
  const template = path.join(
    serviceDir('evaluate-model'),
    '.packaged',
    'cloudformation-template-update-stack.json',
  );

  it.each([
    [['package', '--stage', 'prod'], 'stage prod (not one of the offline stages dev, local)'],
    [['deploy', '--stage', 'dev'], 'serverless deploy of stage dev'],
  ])('serverless %j without it exits non-zero, saying what to set, before anything is built', (args, why) => {
    const before = existsSync(template) ? statSync(template).mtimeMs : undefined;

    const { status, output } = serverless('evaluate-model', args, withoutAccount);

    expect(status).not.toBe(0);
    expect(output).toContain(
      `AWS_ACCOUNT_ID is not set: ${why} would name the bucket and the SageMaker role`,
    );
    expect(output).toContain(
      'export AWS_ACCOUNT_ID=$(aws sts get-caller-identity --query Account --output text)',
    );
    expect(existsSync(template) ? statSync(template).mtimeMs : undefined).toBe(before);
  });

  it('refuses an AWS_ACCOUNT_ID that is no account ID', () => {
    const { status, output } = serverless('evaluate-model', ['package', '--stage', 'prod'], {
      ...withoutAccount,
      AWS_ACCOUNT_ID: '1111-2222-3333',
    });

    expect(status).not.toBe(0);
    expect(output).toContain('AWS_ACCOUNT_ID 1111-2222-3333 is not an AWS account ID (12 digits)');
  });
});

describe('Templates: packaged for stage prod with AWS_ACCOUNT_ID', () => {
  const pseudo = { 'AWS::AccountId': ACCOUNT, 'AWS::Region': 'us-east-1', 'AWS::Partition': 'aws' };
  const packaged = new Map<string, CfnTemplate>();
  const templateOf = (service: string): CfnTemplate => {
    let template = packaged.get(service);
    if (!template) {
      template = packageTemplateWith(serviceDir(service), [], 'prod', { AWS_ACCOUNT_ID: ACCOUNT });
      packaged.set(service, template);
    }
    return template;
  };

  it.each([
    ['trigger-training', 'TriggerTrainingLambdaFunction'],
    ['evaluate-model', 'EvaluateModelLambdaFunction'],
    ['deploy-model', 'DeployModelLambdaFunction'],
    ['retrain-model', 'RetrainModelLambdaFunction'],
  ])('%s passes exactly the role its template lets it pass, of that account', (service, functionId) => {
    const template = templateOf(service);
    const properties = template.Resources[functionId]?.Properties;
    const environment =
      (properties?.Environment as { Variables?: Record<string, string> } | undefined)?.Variables ?? {};
    const passable = roleStatements(functionRole(template, functionId), pseudo)
      .filter((statement) => statement.Action.includes('iam:PassRole'))
      .flatMap((statement) => statement.Resource);

    expect(environment.SAGEMAKER_ROLE).toBe(`arn:aws:iam::${ACCOUNT}:role/mlpipe-prod-sagemaker`);
    expect(passable).toEqual([environment.SAGEMAKER_ROLE]);
  });

  it('leaves no name of the offline account in any template', () => {
    for (const service of ['trigger-training', 'evaluate-model', 'deploy-model', 'retrain-model']) {
      expect(JSON.stringify(templateOf(service))).not.toContain(DEFAULT_ACCOUNT);
    }
  });
});
