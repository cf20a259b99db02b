/**
 * A deploy that updates a function while it runs, as happens on AWS whenever `serverless deploy` lands during
 * traffic: Lambda lets the invocation under way finish on the code it started with, and runs every later one on
 * the new code. Stretched here: the handler runs for seconds and the update lands in the middle of it.
 */
import { CloudFormationClient, CreateStackCommand, UpdateStackCommand } from '@aws-sdk/client-cloudformation';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { eventually, stackSettled, useTestStack } from '../helpers/stack.js';

const FUNCTION = 'cfn-updated-while-running';

/** A stack with one function whose inline code logs `started`, waits `ms`, and answers `version`. */
const template = (version: string, ms: number) =>
  JSON.stringify({
    AWSTemplateFormatVersion: '2010-09-09',
    Resources: {
      Fn: {
        Type: 'AWS::Lambda::Function',
        Properties: {
          FunctionName: FUNCTION,
          Runtime: 'nodejs24.x',
          Handler: 'index.handler',
          Timeout: 30,
          Role: 'arn:aws:iam::000000000000:role/cfn-updated-while-running',
          Code: {
            ZipFile: `exports.handler = async () => { console.log('started ${version}'); await new Promise((resolve) => setTimeout(resolve, ${ms})); return '${version}'; };`,
          },
        },
      },
    },
  });

describe('Lambda: a function updated by a deploy while an invocation runs', () => {
  const t = useTestStack();
  const cfn = () => t.stack.client(CloudFormationClient);
  const lambda = () => t.stack.client(LambdaClient);
  const invoke = async () => {
    const answer = await lambda().send(new InvokeCommand({ FunctionName: FUNCTION }));
    return {
      error: answer.FunctionError,
      payload: JSON.parse(Buffer.from(answer.Payload ?? new Uint8Array()).toString('utf8')) as unknown,
    };
  };

  it('lets the invocation under way finish on its code, and runs the next one on the new code', async () => {
    // Prepare
    await cfn().send(
      new CreateStackCommand({ StackName: 'updated-while-running', TemplateBody: template('v1', 3000) }),
    );
    await stackSettled(cfn(), 'updated-while-running');

    // Act: the update lands once the first invocation has started
    const running = invoke();
    await eventually(
      'the first invocation to start',
      () =>
        t.stack.functions.logEvents(FUNCTION).some((event) => event.message.includes('started v1')) ||
        undefined,
    );
    await cfn().send(
      new UpdateStackCommand({ StackName: 'updated-while-running', TemplateBody: template('v2', 0) }),
    );
    const updated = await stackSettled(cfn(), 'updated-while-running');
    const first = await running;
    const next = await invoke();

    // Assess
    expect(updated.StackStatus).toBe('UPDATE_COMPLETE');
    expect(first).toEqual({ error: undefined, payload: 'v1' });
    expect(next).toEqual({ error: undefined, payload: 'v2' });
    expect(
      t.stack.functions
        .logEvents(FUNCTION)
        .map((event) => event.message)
        .join('\n'),
    ).toMatch(/started v1[\s\S]*started v2/);
  });
});
