/**
 * Every IAM role of the packaged templates with its inline policy statements resolved to plain strings (ARNs as
 * they would deploy), and the Lambda functions that run with it: the input of the IAM suite.
 */
import { resourcesOfType } from '@sagemaker-pipeline/testing/cloudformation';
import { DEPLOY_PARAMETERS, type PackagedTemplate, resolveValue } from './cfn-templates.js';
import type { ConditionValue, IamStatement } from './iam-evaluator.js';

export interface TemplateRole {
  service: string;
  logicalId: string;
  roleName: string;
  /** FunctionName of each Lambda function whose Role is this role. */
  functions: string[];
  statements: IamStatement[];
}

const asArray = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

export function templateRoles(
  { service, template }: PackagedTemplate,
  parameters: Readonly<Record<string, string>> = DEPLOY_PARAMETERS,
): TemplateRole[] {
  const resolve = (value: unknown) => resolveValue(value, template, parameters);
  return resourcesOfType(template, 'AWS::IAM::Role').map(([logicalId, role]) => {
    const functions = resourcesOfType(template, 'AWS::Lambda::Function')
      .filter(([, fn]) => {
        const ref = fn.Properties?.Role as { 'Fn::GetAtt'?: [string, string] } | undefined;
        return ref?.['Fn::GetAtt']?.[0] === logicalId;
      })
      .map(([id, fn]) => resolve(fn.Properties?.FunctionName ?? id));
    const policies = asArray(role.Properties?.Policies as { PolicyDocument: { Statement: unknown } }[]);
    const statements = policies.flatMap((policy) =>
      asArray(policy.PolicyDocument.Statement as Record<string, unknown>[]).map((raw): IamStatement => {
        const statement: IamStatement = { Effect: raw.Effect as 'Allow' | 'Deny' };
        if (raw.Sid !== undefined) statement.Sid = String(raw.Sid);
        for (const element of ['Action', 'NotAction'] as const) {
          if (raw[element] !== undefined) statement[element] = asArray(raw[element] as string | string[]);
        }
        for (const element of ['Resource', 'NotResource'] as const) {
          if (raw[element] !== undefined) statement[element] = asArray(raw[element]).map(resolve);
        }
        if (raw.Condition !== undefined) {
          statement.Condition = Object.fromEntries(
            Object.entries(raw.Condition as Record<string, Record<string, unknown>>).map(
              ([operator, keys]) => [
                operator,
                Object.fromEntries(
                  Object.entries(keys).map(([key, values]): [string, ConditionValue[]] => [
                    key,
                    asArray(values).map(resolve),
                  ]),
                ),
              ],
            ),
          );
        }
        return statement;
      }),
    );
    const roleName = role.Properties?.RoleName === undefined ? logicalId : resolve(role.Properties.RoleName);
    return { service, logicalId, roleName, functions, statements };
  });
}
