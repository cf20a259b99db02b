import type { CfnTemplate } from '@sagemaker-pipeline/testing/cloudformation';
import { checkTemplates, type NamedTemplate } from '../../src/cfn-spec.js';
import { packagedTemplates, resolveValue } from '../../src/cfn-templates.js';

const templates = packagedTemplates();
const named: NamedTemplate[] = templates.map(({ service, template }) => ({ name: service, template }));

/** The problems the checker finds when `name`'s packaged template is replaced by `template`. */
const problemsWith = (name: string, template: CfnTemplate) =>
  checkTemplates([...named.filter((other) => other.name !== name), { name, template }]).problems.map(
    ({ template: where, path, message }) => `${where} ${path}: ${message}`,
  );

/** A resource of the template, with its properties, to break in a case. */
const resource = (template: CfnTemplate, id: string) => {
  const found = template.Resources[id];
  if (!found?.Properties) throw new Error(`No ${id} with properties`);
  return found as { Type: string; Properties: Record<string, unknown> } & Record<string, unknown>;
};

describe('Function: checkTemplates', () => {
  const copy = (service: string): CfnTemplate => {
    const found = templates.find((candidate) => candidate.service === service);
    if (!found) throw new Error(`No packaged ${service} template`);
    return structuredClone(found.template);
  };
  const problemsOf = (template: CfnTemplate) => problemsWith('deploy-model', template);

  it.each<[string, (template: CfnTemplate) => void, string]>([
    [
      'an unknown resource type',
      (t) => {
        resource(t, 'DeployModelDeadLetterQueue').Type = 'AWS::SQS::Queues';
      },
      'Resources.DeployModelDeadLetterQueue.Type: AWS::SQS::Queues is not a CloudFormation resource type',
    ],
    [
      'an unknown property',
      (t) => {
        resource(t, 'DeployModelLambdaFunction').Properties.MemorySise = 256;
      },
      'Resources.DeployModelLambdaFunction.Properties.MemorySise: unknown property',
    ],
    [
      'a missing required property',
      (t) => {
        delete resource(t, 'DeployModelLambdaFunction').Properties.Role;
      },
      'Resources.DeployModelLambdaFunction.Properties.Role: required property missing',
    ],
    [
      'a value of the wrong type',
      (t) => {
        resource(t, 'DeployModelLambdaFunction').Properties.MemorySize = 'big';
      },
      'Resources.DeployModelLambdaFunction.Properties.MemorySize: expected a number, got "big"',
    ],
    [
      'an unknown property inside a property type',
      (t) => {
        const config = resource(t, 'DeployModelLambdaEvConf').Properties.DestinationConfig as Record<
          string,
          Record<string, unknown>
        >;
        (config.OnFailure as Record<string, unknown>).Destinaton = 'x';
      },
      'Resources.DeployModelLambdaEvConf.Properties.DestinationConfig.OnFailure.Destinaton: unknown property',
    ],
    [
      'a missing required property inside a property type',
      (t) => {
        const config = resource(t, 'DeployModelLambdaEvConf').Properties.DestinationConfig as Record<
          string,
          Record<string, unknown>
        >;
        delete (config.OnFailure as Record<string, unknown>).Destination;
      },
      'Resources.DeployModelLambdaEvConf.Properties.DestinationConfig.OnFailure.Destination: required property missing',
    ],
    [
      'a Fn::GetAtt of an attribute the type does not have',
      (t) => {
        resource(t, 'DeployModelLambdaFunction').Properties.Role = {
          'Fn::GetAtt': ['DeployModelIamRoleLambdaExecution', 'Url'],
        };
      },
      'Fn::GetAtt: AWS::IAM::Role has no attribute Url',
    ],
    [
      'a Fn::GetAtt of a missing resource',
      (t) => {
        resource(t, 'DeployModelLambdaFunction').Properties.Role = { 'Fn::GetAtt': ['MissingRole', 'Arn'] };
      },
      'Fn::GetAtt: MissingRole is not a resource of the template',
    ],
    [
      'a Ref to a missing resource',
      (t) => {
        resource(t, 'DeployModelLambdaEvConf').Properties.FunctionName = { Ref: 'DeployModelFunction' };
      },
      'Ref: DeployModelFunction is not a resource, parameter or pseudo parameter',
    ],
    [
      'a Fn::Sub variable that resolves to nothing',
      (t) => {
        resource(t, 'DeployModelDeadLetterQueue').Properties.QueueName = {
          // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub, not a template literal
          'Fn::Sub': '${AWS::StackName}-${Stage}-dlq',
        };
      },
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the path the checker reports
      'Fn::Sub${Stage}: Stage is not a resource, parameter or pseudo parameter',
    ],
    [
      'a Fn::ImportValue of a name nothing exports',
      (t) => {
        resource(t, 'DeployModelDeadLetterQueue').Properties.QueueName = {
          'Fn::ImportValue': 'mlpipe-dev-QueueName',
        };
      },
      'Fn::ImportValue: no other template exports mlpipe-dev-QueueName',
    ],
    [
      'a DependsOn of a missing resource',
      (t) => {
        resource(t, 'DeployModelLambdaFunction').DependsOn = [
          'DeployModelIamRoleLambdaExecution',
          'DeployModelLogs',
        ];
      },
      'Resources.DeployModelLambdaFunction.DependsOn: "DeployModelLogs" is not a resource of the template',
    ],
    [
      'an export name another template already exports',
      (t) => {
        t.Outputs = { ...t.Outputs, Bucket: { Value: 'x', Export: { Name: 'mlpipe-dev-BucketName' } } };
      },
      'export mlpipe-dev-BucketName is also exported by',
    ],
  ])('reports %s', (_, mutate, expected) => {
    // Prepare
    const template = copy('deploy-model');
    mutate(template);

    // Act
    const problems = problemsOf(template);

    // Assess
    expect(problems).toEqual(expect.arrayContaining([expect.stringContaining(expected)]));
  });

  it('accepts a Fn::ImportValue of an export of infra, and reports none for the unchanged template', () => {
    // Prepare
    const template = copy('deploy-model');
    resource(template, 'DeployModelLambdaFunction').Properties.Description = {
      'Fn::ImportValue': { 'Fn::Sub': 'mlpipe-dev-ModelPackageGroupName' },
    };

    // Act / Assess
    expect(problemsOf(template)).toEqual([]);
    expect(problemsOf(copy('deploy-model'))).toEqual([]);
  });
});

describe('Function: checkTemplates, parameters and conditions', () => {
  const infra = (): CfnTemplate & { Conditions: Record<string, unknown> } => {
    const found = templates.find(({ service }) => service === 'infra');
    if (!found?.template.Conditions) throw new Error('No packaged infra template with conditions');
    return structuredClone(found.template) as CfnTemplate & { Conditions: Record<string, unknown> };
  };
  const problemsOf = (template: CfnTemplate) => problemsWith('infra', template);

  it.each<[string, (template: CfnTemplate & { Conditions: Record<string, unknown> }) => void, string]>([
    [
      'a resource condition that is not a condition of the template',
      (t) => {
        resource(t, 'AlertEmailSubscription').Condition = 'SubscribesAlertPager';
      },
      'infra Resources.AlertEmailSubscription.Condition: SubscribesAlertPager is not a condition of the template',
    ],
    [
      'a condition that refers to a resource',
      (t) => {
        t.Conditions.SubscribesAlertEmail = { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'AlertTopic' }, ''] }] };
      },
      'infra Conditions.SubscribesAlertEmail.Fn::Not[0].Fn::Equals[0].Ref: "AlertTopic" is not a parameter or pseudo parameter (a condition cannot refer to a resource)',
    ],
    [
      'a condition that names a missing condition',
      (t) => {
        t.Conditions.SubscribesAll = {
          'Fn::And': [{ Condition: 'SubscribesAlertEmail' }, { Condition: 'SubscribesAlertPager' }],
        };
      },
      'infra Conditions.SubscribesAll.Fn::And[1].Condition: "SubscribesAlertPager" is not a condition of the template',
    ],
    [
      'a condition that is not a condition function',
      (t) => {
        t.Conditions.SubscribesAlertEmail = { Ref: 'AlertEmail' };
      },
      'infra Conditions.SubscribesAlertEmail: a condition is a Fn::And, Fn::Equals, Fn::Not, Fn::Or or Condition',
    ],
    [
      'a function a condition cannot use',
      (t) => {
        t.Conditions.SubscribesAlertEmail = {
          'Fn::Equals': [{ 'Fn::GetAtt': ['AlertTopic', 'TopicName'] }, ''],
        };
      },
      'infra Conditions.SubscribesAlertEmail.Fn::Equals[0].Fn::GetAtt: Fn::GetAtt cannot be used in a condition',
    ],
    [
      'a Fn::If on a missing condition',
      (t) => {
        resource(t, 'AlertTopic').Properties.DisplayName = { 'Fn::If': ['HasPager', 'pager', 'alerts'] };
      },
      'infra Resources.AlertTopic.Properties.DisplayName.Fn::If[0]: "HasPager" is not a condition of the template',
    ],
    [
      'a parameter default that its AllowedPattern refuses',
      (t) => {
        const parameter = t.Parameters?.AlertEmail;
        if (parameter) parameter.Default = 'ops.example.com';
      },
      'infra Parameters.AlertEmail.Default: "ops.example.com" does not match AllowedPattern',
    ],
    [
      'a parameter of no CloudFormation type',
      (t) => {
        const parameter = t.Parameters?.AlertEmail;
        if (parameter) parameter.Type = 'Email';
      },
      'infra Parameters.AlertEmail.Type: Email is not a parameter type',
    ],
  ])('reports %s', (_, mutate, expected) => {
    // Prepare
    const template = infra();
    mutate(template);

    // Act
    const problems = problemsOf(template);

    // Assess
    expect(problems).toEqual(expect.arrayContaining([expect.stringContaining(expected)]));
  });

  it("accepts infra's parameters, conditions and conditional subscriptions, and a Fn::If on one of its conditions", () => {
    // Prepare
    const template = infra();
    resource(template, 'AlertTopic').Properties.DisplayName = {
      'Fn::If': ['SubscribesAlertEmail', 'mlpipe-dev alerts (mailed)', { Ref: 'AWS::NoValue' }],
    };
    template.Conditions.SubscribesAny = {
      'Fn::Or': [{ Condition: 'SubscribesAlertEmail' }, { Condition: 'SubscribesAlertQueue' }],
    };

    // Act / Assess
    expect(problemsOf(template)).toEqual([]);
    expect(problemsOf(infra())).toEqual([]);
  });
});

describe('Function: resolveValue', () => {
  const infra = templates.find(({ service }) => service === 'infra')?.template;
  if (!infra) throw new Error('No packaged infra template');

  it("resolves a topic's ARN and name, and a queue's name", () => {
    // Assess
    expect(resolveValue({ Ref: 'AlertTopic' }, infra)).toBe(
      'arn:aws:sns:us-east-1:000000000000:mlpipe-dev-alerts',
    );
    expect(resolveValue({ 'Fn::GetAtt': ['AlertTopic', 'TopicArn'] }, infra)).toBe(
      'arn:aws:sns:us-east-1:000000000000:mlpipe-dev-alerts',
    );
    expect(resolveValue({ 'Fn::GetAtt': ['AlertTopic', 'TopicName'] }, infra)).toBe('mlpipe-dev-alerts');
    expect(resolveValue({ 'Fn::GetAtt': ['RetrainDeadLetterQueue', 'QueueName'] }, infra)).toBe(
      'mlpipe-dev-retrain-dlq',
    );
  });

  it("resolves a Ref to a parameter, and a Fn::If, with the parameters' defaults", () => {
    // Prepare
    const template = structuredClone(infra);
    const email = template.Parameters?.AlertEmail;
    const ifSubscribed = { 'Fn::If': ['SubscribesAlertEmail', { Ref: 'AlertEmail' }, 'nobody'] };

    // Act / Assess
    expect(resolveValue({ Ref: 'AlertEmail' }, template)).toBe('');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub, not a template literal
    expect(resolveValue({ 'Fn::Sub': 'to:${AlertEmail}' }, template)).toBe('to:');
    expect(resolveValue(ifSubscribed, template)).toBe('nobody');
    if (email) email.Default = 'ops@example.com';
    expect(resolveValue(ifSubscribed, template)).toBe('ops@example.com');
  });

  it('refuses a Fn::If on a condition it cannot find', () => {
    // Assess
    expect(() => resolveValue({ 'Fn::If': ['Missing', 'a', 'b'] }, infra)).toThrow(
      'No condition Missing in the template',
    );
  });
});
