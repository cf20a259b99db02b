import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadService, parseServerlessYaml, resolveVariables } from '../../src/functions/serverless-config.js';
import { fixtureService } from '../helpers/fixtures.js';

const context = { stage: 'local', region: 'us-east-1', account: '000000000000', env: {}, warn: () => {} };

describe('Function: loadService', () => {
  it('resolves the fixture service for stage local like the Serverless Framework', () => {
    // Act
    const service = loadService(fixtureService, { ...context, env: { FIXTURE_PIPELINE_NAME: 'churn' } });

    // Assess
    const trigger = service.functions.find((fn) => fn.name === 'triggerTraining');
    expect(service.service).toBe('fixture-pipeline');
    expect(trigger).toMatchObject({
      functionName: 'fixture-pipeline-local-triggerTraining',
      handler: 'src/handler.trigger',
      timeoutSeconds: 10,
      environment: {
        PIPELINE_NAME: 'churn',
        STAGE: 'local',
        S3_OUTPUT_PATH: 's3://ml-artifacts/models',
        SAGEMAKER_ROLE: 'arn:aws:iam::000000000000:role/churn-sagemaker-local',
        DATA_BUCKET: { Ref: 'DataBucket' },
      },
    });
    expect(trigger?.events[0]?.eventBridge?.pattern).toEqual({
      source: ['aws.ecr'],
      'detail-type': ['ECR Image Action'],
      detail: { 'action-type': ['PUSH'], result: ['SUCCESS'], 'repository-name': ['churn-model'] },
    });
    expect(service.resources.RetrainQueue?.Properties?.QueueName).toBe('churn-retrain-local');
  });

  it('falls back to defaults and keeps CloudFormation variables of Fn::Sub', () => {
    // Prepare
    const raw = parseServerlessYaml(`
params:
  default: { level: INFO }
  local: { size: small }
custom:
  region: \${opt:region, env:AWS_REGION, 'eu-west-1'}
value: \${env:MISSING, 'fallback'}
level: \${param:level}
size: \${param:size, 'large'}
sub: !Sub arn:\${AWS::Partition}:sqs:\${AWS::Region}:\${AWS::AccountId}:\${self:value}-\${QueueName}
`);

    // Act
    const resolved = resolveVariables(raw, '.', context);

    // Assess
    expect(resolved).toMatchObject({
      value: 'fallback',
      level: 'INFO',
      size: 'small',
      custom: { region: 'us-east-1' },
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation variables, kept as they are
      sub: { 'Fn::Sub': 'arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:fallback-${QueueName}' },
    });
  });

  it('reads a file variable relative to the service and resolves through it', async () => {
    // Prepare
    const dir = await mkdtemp(path.join(tmpdir(), 'sls-'));
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Serverless variables, not a template literal
    await writeFile(path.join(dir, 'shared.yml'), 'name: ${env:PREFIX, "mlpipe"}-${sls:stage}\n');
    const raw = parseServerlessYaml(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Serverless variables, not a template literal
      'custom:\n  pipeline: ${file(./shared.yml)}\nservice: ${self:custom.pipeline.name}-svc\n',
    );

    // Act
    const resolved = resolveVariables(raw, dir, context);

    // Assess
    expect(resolved.service).toBe('mlpipe-local-svc');
  });
});
