// shared/src/contracts.ts names what pipeline.yml derives, for the commands and tests that find a pipeline's
// resources without reading its templates; the packaged templates (stage dev) are the truth it must match.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DEAD_LETTER_OWNERS, pipelineNames, SERVICES } from '@sagemaker-pipeline/shared/contracts';

const root = path.resolve(import.meta.dirname, '..', '..', '..');
type Template = { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };
const template = (service: string): Template =>
  JSON.parse(
    readFileSync(
      path.join(root, 'packages', service, '.packaged', 'cloudformation-template-update-stack.json'),
      'utf8',
    ),
  ) as Template;
/** Every literal name of `type` in the templates of `services`. */
const namesOf = (type: string, property: string, ...services: string[]) =>
  services
    .flatMap((service) => Object.values(template(service).Resources))
    .filter((resource) => resource.Type === type)
    .map((resource) => resource.Properties?.[property]);

const STAGES = SERVICES.filter((service) => service !== 'infra');
const names = pipelineNames({ stage: 'dev' });

describe('contracts: the pipeline names of pipeline.yml', () => {
  it("are infra's bucket, repository, model package group, alert topic and retrain queue", () => {
    // the other bucket is the framework's deployment bucket, unnamed
    expect(namesOf('AWS::S3::Bucket', 'BucketName', 'infra').filter(Boolean)).toEqual([names.bucket]);
    expect(namesOf('AWS::ECR::Repository', 'RepositoryName', 'infra')).toEqual([names.repository]);
    expect(namesOf('AWS::SageMaker::ModelPackageGroup', 'ModelPackageGroupName', 'infra')).toEqual([
      names.modelPackageGroup,
    ]);
    expect(namesOf('AWS::SNS::Topic', 'TopicName', 'infra')).toEqual([names.alertTopic]);
    expect(namesOf('AWS::SQS::Queue', 'QueueName', 'infra')).toContain(names.retrainQueue);
  });

  it('name every dead-letter queue of every service, and nothing else ends in -dlq', () => {
    const queues = namesOf('AWS::SQS::Queue', 'QueueName', 'infra', ...STAGES).filter((name) =>
      String(name).endsWith('-dlq'),
    );

    expect([...queues].sort()).toEqual(Object.values(names.deadLetterQueues).sort());
    expect(Object.keys(names.deadLetterQueues)).toEqual([...DEAD_LETTER_OWNERS]);
  });

  it("are deploy-model's default endpoint", () => {
    const deploy = Object.values(template('deploy-model').Resources).find(
      (resource) => resource.Type === 'AWS::Lambda::Function',
    );
    const environment =
      (deploy?.Properties?.Environment as { Variables: Record<string, unknown> } | undefined)?.Variables ??
      {};

    expect(environment.ENDPOINT_NAME).toBe(names.endpoint);
    expect(environment.MODEL_REGISTRY_NAME).toBe(names.modelPackageGroup);
  });

  it('follow the prefix, account and region', () => {
    expect(
      pipelineNames({ stage: 'prod', prefix: 'fraud', account: '111122223333', region: 'eu-west-1' }),
    ).toMatchObject({
      pipeline: 'fraud-prod',
      bucket: 'fraud-prod-111122223333-eu-west-1',
      alertTopic: 'fraud-prod-alerts',
    });
  });
});
