import {
  type CfnTemplate,
  conditionHolds,
  PSEUDO_PARAMETERS,
  resolveValue,
} from '../../src/cloudformation.js';

// The shape of infra's alert subscriptions: a parameter, empty by default, and a condition per parameter.
const template: Pick<CfnTemplate, 'Parameters' | 'Conditions'> = {
  Parameters: {
    AlertEmail: { Type: 'String', Default: '' },
    AlertHttpsUrl: { Type: 'String', Default: 'https://hooks.example.com/alerts' },
    NoDefault: { Type: 'String' },
  },
  Conditions: {
    SubscribesAlertEmail: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'AlertEmail' }, ''] }] },
    SubscribesAlertHttpsUrl: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'AlertHttpsUrl' }, ''] }] },
    SubscribesAny: {
      'Fn::Or': [{ Condition: 'SubscribesAlertEmail' }, { Condition: 'SubscribesAlertHttpsUrl' }],
    },
    SubscribesBoth: {
      'Fn::And': [{ Condition: 'SubscribesAlertEmail' }, { Condition: 'SubscribesAlertHttpsUrl' }],
    },
    InUsEast1: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] },
    OnNoDefault: { 'Fn::Equals': [{ Ref: 'NoDefault' }, ''] },
    OnAResource: { 'Fn::Equals': [{ 'Fn::GetAtt': ['AlertTopic', 'TopicName'] }, ''] },
  },
};

describe('Function: conditionHolds', () => {
  it('evaluates a condition with the parameter defaults', () => {
    expect(conditionHolds(template, 'SubscribesAlertEmail')).toBe(false);
    expect(conditionHolds(template, 'SubscribesAlertHttpsUrl')).toBe(true);
  });

  it('takes given values over the defaults', () => {
    expect(conditionHolds(template, 'SubscribesAlertEmail', { AlertEmail: 'ops@example.com' })).toBe(true);
    expect(conditionHolds(template, 'SubscribesAlertHttpsUrl', { AlertHttpsUrl: '' })).toBe(false);
  });

  it('follows conditions named by other conditions, through Fn::And and Fn::Or', () => {
    expect(conditionHolds(template, 'SubscribesAny')).toBe(true);
    expect(conditionHolds(template, 'SubscribesBoth')).toBe(false);
    expect(conditionHolds(template, 'SubscribesBoth', { AlertEmail: 'ops@example.com' })).toBe(true);
  });

  it('reads pseudo parameters', () => {
    expect(conditionHolds(template, 'InUsEast1')).toBe(true);
    expect(conditionHolds(template, 'InUsEast1', {}, { 'AWS::Region': 'eu-west-1' })).toBe(false);
  });

  it('refuses what it cannot know offline, naming the condition', () => {
    expect(() => conditionHolds(template, 'Missing')).toThrow('No condition Missing in the template');
    expect(() => conditionHolds(template, 'OnNoDefault')).toThrow(
      'Condition OnNoDefault: parameter NoDefault has no value and no default',
    );
    expect(() => conditionHolds(template, 'OnAResource')).toThrow('Condition OnAResource: cannot evaluate');
  });
});

describe('Function: resolveValue', () => {
  const stack: CfnTemplate = {
    Resources: { Queue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'mlpipe-dev-retrain' } } },
  };

  it("resolves Fn::ImportValue through the other stacks' exports, and refuses a name nobody exports", () => {
    const exports: Record<string, string> = { 'mlpipe-dev-QueueArn': 'arn:aws:sqs:us-east-1:1:other' };
    const options = { importValue: (name: string) => exports[name] };
    const value = { 'Fn::Join': [',', [{ 'Fn::ImportValue': 'mlpipe-dev-QueueArn' }, { Ref: 'Queue' }]] };

    expect(resolveValue(value, stack, PSEUDO_PARAMETERS, options)).toBe(
      'arn:aws:sqs:us-east-1:1:other,https://sqs.us-east-1.amazonaws.com/123456789012/mlpipe-dev-retrain',
    );
    expect(() => resolveValue({ 'Fn::ImportValue': 'missing' }, stack, PSEUDO_PARAMETERS, options)).toThrow(
      'No stack exports missing (Fn::ImportValue)',
    );
    expect(() => resolveValue({ 'Fn::ImportValue': 'mlpipe-dev-QueueArn' }, stack)).toThrow('Cannot resolve');
  });
});
