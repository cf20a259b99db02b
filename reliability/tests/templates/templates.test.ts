/**
 * Templates that will deploy: every packaged service template against the CloudFormation resource
 * specification (types, properties, required properties, value types, references), and every reference a stage
 * makes to infra by name (queues, roles, bucket, registry, repository) against what infra creates.
 */
import { createRequire } from 'node:module';
import { SERVICES } from '@sagemaker-pipeline/shared/contracts';
import { resourcesOfType } from '@sagemaker-pipeline/testing/cloudformation';
import { checkTemplates, type NamedTemplate, type SpecReport } from '../../src/cfn-spec.js';
import { deployedNames, packagedTemplates, resolveValue } from '../../src/cfn-templates.js';
import { recordFigures } from '../../src/figures.js';

const templates = packagedTemplates();
const named: NamedTemplate[] = templates.map(({ service, template }) => ({ name: service, template }));
const names = deployedNames(templates);

interface NamedReference {
  where: string;
  value: string;
  resolves: boolean;
}

/** What the functions name across stacks: event sources, destinations and environment values. */
function namedReferences(): NamedReference[] {
  const within = (type: string, value: string) => names.names.get(type)?.has(value) ?? false;
  return templates.flatMap(({ service, template }) =>
    Object.entries(template.Resources).flatMap(([id, resource]): NamedReference[] => {
      const where = `${service}.${id}`;
      const resolve = (value: unknown) => resolveValue(value, template);
      const props = resource.Properties ?? {};
      if (resource.Type === 'AWS::Lambda::EventSourceMapping') {
        const arn = resolve(props.EventSourceArn);
        return [{ where: `${where}.EventSourceArn`, value: arn, resolves: names.arns.has(arn) }];
      }
      if (resource.Type === 'AWS::CloudWatch::Alarm') {
        const actions = ['AlarmActions', 'OKActions', 'InsufficientDataActions'].flatMap((key) =>
          ((props[key] ?? []) as unknown[]).map((action, index): NamedReference => {
            const arn = resolve(action);
            return { where: `${where}.${key}[${index}]`, value: arn, resolves: names.arns.has(arn) };
          }),
        );
        const queues = ((props.Dimensions ?? []) as { Name: string; Value: unknown }[])
          .filter(({ Name }) => Name === 'QueueName')
          .map(({ Value }): NamedReference => {
            const name = resolve(Value);
            return {
              where: `${where}.Dimensions.QueueName`,
              value: name,
              resolves: within('AWS::SQS::Queue', name),
            };
          });
        return [...actions, ...queues];
      }
      if (resource.Type === 'AWS::Lambda::EventInvokeConfig') {
        const destinations = (props.DestinationConfig ?? {}) as Record<string, { Destination: unknown }>;
        return Object.entries(destinations).map(([kind, { Destination }]) => {
          const arn = resolve(Destination);
          return { where: `${where}.DestinationConfig.${kind}`, value: arn, resolves: names.arns.has(arn) };
        });
      }
      if (resource.Type !== 'AWS::Lambda::Function') return [];
      const variables =
        ((props.Environment ?? {}) as { Variables?: Record<string, unknown> }).Variables ?? {};
      return Object.entries(variables).flatMap(([key, raw]): NamedReference[] => {
        const value = resolve(raw);
        const at = `${where}.Environment.${key}`;
        if (value.startsWith('arn:')) return [{ where: at, value, resolves: names.arns.has(value) }];
        if (value.startsWith('s3://')) {
          const bucket = value.slice('s3://'.length).split('/')[0] ?? '';
          return [{ where: at, value, resolves: within('AWS::S3::Bucket', bucket) }];
        }
        if (key === 'MODEL_REGISTRY_NAME') {
          return [{ where: at, value, resolves: within('AWS::SageMaker::ModelPackageGroup', value) }];
        }
        if (key === 'ECR_REPOSITORY_NAME')
          return [{ where: at, value, resolves: within('AWS::ECR::Repository', value) }];
        return [];
      });
    }),
  );
}

const require = createRequire(import.meta.url);
const specVersion = (require('@aws-cdk/aws-service-spec/package.json') as { version: string }).version;

describe('Templates: every packaged service template', () => {
  let report: SpecReport;
  const references = namedReferences();

  beforeAll(() => {
    report = checkTemplates(named);
  });

  afterAll(() => {
    recordFigures('templates', {
      templates: report.templates,
      resources: report.resources,
      problems: report.problems.length,
      propertiesChecked: report.properties,
      referencesResolved: report.references,
      namedReferencesToOtherStacks: references.length,
      unresolvedNamedReferences: references.filter(({ resolves }) => !resolves).length,
      resourceTypes: [
        ...new Set(templates.flatMap(({ template }) => Object.values(template.Resources).map((r) => r.Type))),
      ].sort(),
      specification: `@aws-cdk/aws-service-spec ${specVersion}`,
    });
  });

  it('covers infra and every stage', () => {
    // Assess
    expect(templates.map(({ service }) => service)).toEqual(expect.arrayContaining([...SERVICES]));
  });

  it('uses only resource types and properties of the CloudFormation specification, with every required property, values of their types and references that resolve', () => {
    // Assess
    expect(report.problems).toEqual([]);
    expect(report.resources).toBeGreaterThan(templates.length);
    expect(report.references).toBeGreaterThan(0);
  });

  it("finds every queue, topic, role, bucket, registry and repository a stage names by name among the templates' resources", () => {
    // Assess
    expect(references.filter(({ resolves }) => !resolves)).toEqual([]);
    expect(references.map(({ where }) => where)).toEqual(
      expect.arrayContaining([
        'retrain-model.RetrainModelEventSourceMappingSQSMlpipedevretrain.EventSourceArn',
        'trigger-training.TriggerTrainingLambdaFunction.Environment.SAGEMAKER_ROLE',
        'deploy-model.DeployModelLambdaFunction.Environment.MODEL_REGISTRY_NAME',
        'evaluate-model.EvaluateModelLambdaFunction.Environment.ALERT_TOPIC_ARN',
        'register-model.RegisterModelDeadLetterQueueAlarm.AlarmActions[0]',
        'infra.RetrainDeadLetterQueueAlarm.Dimensions.QueueName',
      ]),
    );
  });
});

describe('Templates: nothing is dropped in silence', () => {
  const infra = templates.find(({ service }) => service === 'infra')?.template;
  if (!infra) throw new Error('No packaged infra template');
  const ALERTS = resolveValue({ Ref: 'AlertTopic' }, infra);
  const each = (type: string) =>
    templates.flatMap(({ service, template }) =>
      resourcesOfType(template, type).map(([id, resource]) => ({
        service,
        id,
        props: resource.Properties ?? {},
        resolve: (value: unknown) => resolveValue(value, template),
      })),
    );
  const queueName = (arn: string) => arn.slice(arn.lastIndexOf(':') + 1);

  /** Functions invoked asynchronously: the targets of EventBridge rules (event patterns and schedules). */
  const asyncFunctions = each('AWS::Events::Rule').flatMap(({ service, props }) =>
    ((props.Targets ?? []) as { Arn: unknown }[]).map(
      ({ Arn }) => `${service}.${(Arn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0]}`,
    ),
  );
  const invokeConfigs = new Map(
    each('AWS::Lambda::EventInvokeConfig').map(({ service, props, resolve }) => [
      `${service}.${(props.FunctionName as { Ref: string }).Ref}`,
      {
        retries: props.MaximumRetryAttempts,
        maximumEventAge: props.MaximumEventAgeInSeconds,
        onFailure: resolve(
          (props.DestinationConfig as { OnFailure: { Destination: unknown } }).OnFailure.Destination,
        ),
      },
    ]),
  );
  const deadLetterQueues = [
    ...[...invokeConfigs.values()].map(({ onFailure }) => queueName(onFailure)),
    ...each('AWS::SQS::Queue').flatMap(({ props, resolve }) => {
      const redrive = props.RedrivePolicy as { deadLetterTargetArn: unknown } | undefined;
      return redrive ? [queueName(resolve(redrive.deadLetterTargetArn))] : [];
    }),
  ].sort();
  const alarmedQueues = each('AWS::CloudWatch::Alarm')
    .filter(
      ({ props, resolve }) =>
        props.Namespace === 'AWS/SQS' &&
        props.MetricName === 'ApproximateNumberOfMessagesVisible' &&
        props.ComparisonOperator === 'GreaterThanThreshold' &&
        Number(props.Threshold) === 0 &&
        ((props.AlarmActions ?? []) as unknown[]).map(resolve).includes(ALERTS),
    )
    .flatMap(({ props, resolve }) =>
      ((props.Dimensions ?? []) as { Name: string; Value: unknown }[])
        .filter(({ Name }) => Name === 'QueueName')
        .map(({ Value }) => resolve(Value)),
    );

  it('gives every asynchronously invoked function two retries, a maximum event age and an on-failure queue', () => {
    // Assess
    expect([...new Set(asyncFunctions)].sort()).toEqual([
      'deploy-model.DeployModelLambdaFunction',
      'evaluate-model.EvaluateModelLambdaFunction',
      'register-model.RegisterModelLambdaFunction',
      'retrain-model.RetrainModelLambdaFunction',
      'trigger-training.TriggerTrainingLambdaFunction',
    ]);
    for (const fn of asyncFunctions) {
      expect({ fn, ...invokeConfigs.get(fn) }).toEqual({
        fn,
        retries: 2,
        maximumEventAge: 3600,
        onFailure: expect.stringMatching(/^arn:aws:sqs:.*-dlq$/),
      });
    }
  });

  it("alarms the pipeline's alert topic as soon as any dead-letter queue holds a message", () => {
    // Assess
    expect(deadLetterQueues).toEqual([
      'mlpipe-dev-deploy-model-dlq',
      'mlpipe-dev-evaluate-model-dlq',
      'mlpipe-dev-register-model-dlq',
      'mlpipe-dev-retrain-dlq',
      'mlpipe-dev-retrain-model-dlq',
      'mlpipe-dev-trigger-training-dlq',
    ]);
    expect(alarmedQueues.sort()).toEqual(deadLetterQueues);
  });
});
