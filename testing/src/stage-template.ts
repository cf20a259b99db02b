/**
 * The checks every stage's packaged template must pass, as one table-driven suite: each stage's iam test gives
 * its expectations as data (the statements of its role, its rules, its environment, what its dead-letter alarm
 * says) and keeps only what is its own. The account and region are those `roleStatements` resolves with.
 */
import { describe, expect, it } from '@jest/globals';
import { DEFAULT_ACCOUNT, pipelineNames } from '@sagemaker-pipeline/shared/contracts';
import {
  actionsOnAnyResource,
  type CfnTemplate,
  deadLetters,
  expectedDeadLetters,
  functionRole,
  type PolicyStatement,
  PSEUDO_PARAMETERS,
  packageTemplateWith,
  readPackagedTemplate,
  resourcesOfType,
  roleStatements,
  wildcardActions,
} from './cloudformation.js';
import type { Stage } from './env.js';

const REGION = PSEUDO_PARAMETERS['AWS::Region'] as string;
const ACCOUNT = PSEUDO_PARAMETERS['AWS::AccountId'] as string;
const PIPELINE = pipelineNames({ stage: 'dev' }).pipeline;

/** ARNs in the account and region the role's statements resolve to: `arn('sagemaker', 'endpoint/x')`. */
export function arn(service: string, resource: string): string {
  return service === 'iam'
    ? `arn:aws:iam::${ACCOUNT}:${resource}`
    : `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;
}

/** PassRole of the pipeline's SageMaker role, to SageMaker only. */
export const PASS_ROLE: PolicyStatement = {
  Effect: 'Allow',
  Action: ['iam:PassRole'],
  Resource: [arn('iam', `role/${PIPELINE}-sagemaker`)],
  Condition: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
};

/** Publishing to the pipeline's alert topic. */
export const PUBLISH_ALERTS: PolicyStatement = {
  Effect: 'Allow',
  Action: ['sns:Publish'],
  Resource: [arn('sns', `${PIPELINE}-alerts`)],
};

/** Sending to the stage's own dead-letter queue. */
export function sendToDeadLetters(stage: Stage): PolicyStatement {
  return { Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: [arn('sqs', `${PIPELINE}-${stage}-dlq`)] };
}

export interface StageTemplateSpec {
  stage: Stage;
  /** The service's folder (its `.packaged` holds the template `pnpm package` wrote). */
  serviceDir: string;
  role: {
    /** What the statements allow, in words (the test's title: `allows exactly …`). */
    allows: string;
    /** The statements after the one for the function's logs, in the template's order. */
    statements: PolicyStatement[];
    /** Actions granted on "*", and why (the test's title); none by default. */
    onAnyResource?: { actions: string[]; why: string };
  };
  /** The rules' event patterns and schedules, in the template's order, and what they route (the title). */
  rules?: { route: string; patterns: unknown[] };
  /** The sweep's parameters: the rules and lookback with `sweepSchedule=off`, and with `params`. */
  sweepParams?: { params: string[]; schedule: string; lookback: string; offRules: number };
  /** What the function is configured with, by default (a subset). */
  environment?: { title: string; variables: Record<string, unknown>; reservedConcurrency?: number };
  /** What its dead-letter alarm says: which events it gave up on, and what that left undone. */
  deadLetters?: {
    gaveUpOn: string;
    consequence: string;
    loadConfig?: (variables: Record<string, string>) => void;
  };
}

/** `deploy-model` → `DeployModel`. */
const pascal = (stage: string) => stage.replace(/(^|-)(\w)/g, (_m, _dash, c: string) => c.toUpperCase());

/** Registers the suites of `spec`'s template and gives the template and its role's statements for the rest. */
export function describeStageTemplate(spec: StageTemplateSpec): {
  template: CfnTemplate;
  statements: PolicyStatement[];
  functionId: string;
} {
  const { stage } = spec;
  const name = pascal(stage);
  const functionId = `${name}LambdaFunction`;
  const template = readPackagedTemplate(spec.serviceDir);
  const statements = roleStatements(functionRole(template, functionId));
  const fn = `${name.charAt(0).toLowerCase()}${name.slice(1)}`;
  const logGroup = `/aws/lambda/${PIPELINE}-${stage}-dev-${fn}`;
  const environment = (): Record<string, string> => {
    const properties = template.Resources[functionId]?.Properties;
    return (properties?.Environment as { Variables?: Record<string, string> } | undefined)?.Variables ?? {};
  };

  describe(`Template: ${stage} role`, () => {
    it(`allows exactly ${spec.role.allows}`, () => {
      expect(statements).toEqual([
        {
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:CreateLogGroup', 'logs:PutLogEvents'],
          Resource: [`${arn('logs', `log-group:${logGroup}`)}:*:*`],
        },
        ...spec.role.statements,
      ]);
    });

    const anyResource = spec.role.onAnyResource;
    it(`has no wildcard action, and ${anyResource ? `"*" only for ${anyResource.why}` : 'no wildcard resource'}`, () => {
      expect(wildcardActions(statements)).toEqual([]);
      expect(actionsOnAnyResource(statements)).toEqual(anyResource?.actions ?? []);
    });

    it('is the only role in the template: no unused default role is deployed', () => {
      expect(resourcesOfType(template, 'AWS::IAM::Role').map(([id]) => id)).toEqual([
        `${name}IamRoleLambdaExecution`,
      ]);
    });
  });

  describe(`Template: ${stage} function and rules`, () => {
    const { rules, sweepParams, environment: env } = spec;
    if (rules) {
      it(`routes ${rules.route}`, () => {
        const properties = resourcesOfType(template, 'AWS::Events::Rule').map(([, rule]) => rule.Properties);
        expect(properties.map((rule) => rule?.EventPattern ?? rule?.ScheduleExpression)).toEqual(
          rules.patterns,
        );
      });
    }

    if (sweepParams) {
      it('has no sweep at all when sweepSchedule is off, and takes another rate and lookback as given', () => {
        const packaged = (...params: string[]) => {
          const packagedTemplate = packageTemplateWith(spec.serviceDir, params);
          const rules = resourcesOfType(packagedTemplate, 'AWS::Events::Rule');
          const variables = (
            packagedTemplate.Resources[functionId]?.Properties?.Environment as
              | { Variables: Record<string, unknown> }
              | undefined
          )?.Variables;
          return {
            schedules: rules.map(([, rule]) => rule.Properties?.ScheduleExpression).filter(Boolean),
            rules: rules.length,
            lookback: variables?.SWEEP_LOOKBACK_HOURS,
          };
        };

        expect(packaged('sweepSchedule=off')).toEqual({
          schedules: [],
          rules: sweepParams.offRules,
          lookback: '24',
        });
        expect(packaged(...sweepParams.params)).toEqual({
          schedules: [sweepParams.schedule],
          rules: sweepParams.offRules + 1,
          lookback: sweepParams.lookback,
        });
      });
    }

    if (env) {
      it(env.title, () => {
        const properties = template.Resources[functionId]?.Properties ?? {};
        if (env.reservedConcurrency !== undefined)
          expect(properties.ReservedConcurrentExecutions).toBe(env.reservedConcurrency);
        const variables = environment();
        expect(variables).toMatchObject(env.variables);
        for (const value of Object.values(variables)) expect(typeof value).toBe('string');
      });
    }
  });

  const letters = spec.deadLetters;
  if (letters) {
    describe(`Template: ${stage} dead letters and alerts`, () => {
      const { alarmDescription, ...configured } = deadLetters(template, functionId);

      it('retries a failed event twice, keeps it at most an hour, then keeps it in its own queue, whose first message alarms the alert topic', () => {
        expect(configured).toEqual(expectedDeadLetters(stage));
      });

      it('says which function gave up on which events, and how to replay them', () => {
        expect(alarmDescription).toContain(`${stage} of ${PIPELINE} gave up on ${letters.gaveUpOn}`);
        expect(alarmDescription).toContain(letters.consequence);
        expect(alarmDescription).toContain(logGroup);
        expect(alarmDescription).toContain(`pnpm run pipeline replay --queue ${PIPELINE}-${stage}-dlq`);
        expect(alarmDescription.length).toBeLessThanOrEqual(1024);
      });

      const loadConfig = letters.loadConfig;
      if (loadConfig) {
        it('names the topic it may publish to in ALERT_TOPIC_ARN, which its configuration loads past', () => {
          const variables = environment();
          expect(variables.ALERT_TOPIC_ARN).toBe(
            `arn:aws:sns:${REGION}:${DEFAULT_ACCOUNT}:${pipelineNames({ stage: 'dev' }).alertTopic}`,
          );
          expect(() => loadConfig(variables)).not.toThrow();
        });
      }
    });
  }

  return { template, statements, functionId };
}
