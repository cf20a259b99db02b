import {
  alarmNameList,
  endpointName,
  instanceType,
  integerBetween,
  modelPackageGroupName,
  optionalTopicArn,
  pipelineName,
  positiveInt,
  roleArn,
} from '@sagemaker-pipeline/shared/config';
import * as v from 'valibot';

const deployModelFields = v.object({
  PIPELINE_NAME: pipelineName(),
  MODEL_REGISTRY_NAME: modelPackageGroupName(),
  SAGEMAKER_ROLE: roleArn(),
  ENDPOINT_NAME: endpointName(),
  ENDPOINT_INSTANCE_TYPE: instanceType(),
  ENDPOINT_INSTANCE_COUNT: positiveInt(1),
  DEPLOYMENT_TRAFFIC_ROUTING: v.optional(
    v.picklist(['ALL_AT_ONCE', 'CANARY', 'LINEAR'], 'must be ALL_AT_ONCE, CANARY or LINEAR'),
    'ALL_AT_ONCE',
  ),
  DEPLOYMENT_STEP_TYPE: v.optional(
    v.picklist(['CAPACITY_PERCENT', 'INSTANCE_COUNT'], 'must be CAPACITY_PERCENT or INSTANCE_COUNT'),
    'CAPACITY_PERCENT',
  ),
  DEPLOYMENT_STEP_SIZE: positiveInt(10),
  DEPLOYMENT_WAIT_SECONDS: integerBetween(0, 3600, 300),
  DEPLOYMENT_TERMINATION_WAIT_SECONDS: integerBetween(0, 3600, 0),
  DEPLOYMENT_MAX_EXECUTION_SECONDS: integerBetween(600, 28800, 3600),
  ROLLBACK_ALARMS: alarmNameList(),
  ALERT_TOPIC_ARN: optionalTopicArn(),
});

/**
 * deploy-model: the endpoint that serves the newest Approved package of the registry, and how an update
 * shifts traffic (SageMaker blue/green deployment guardrails). The cross-field rules are SageMaker's own
 * (canary at most 50% of the fleet, linear steps 10-50%), checked here so a bad setting fails at cold
 * start with its name rather than at the first update. Rollback alarms must be named `<pipeline>-...`:
 * that is the scope of the role's cloudwatch:DescribeAlarms.
 */
export const deployModelEnv = v.pipe(
  deployModelFields,
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const config = dataset.value;
    const issueAt = (key: keyof typeof config, message: string) =>
      addIssue({
        message,
        path: [{ type: 'object', origin: 'value', input: config, key, value: config[key] }],
      });
    const routing = config.DEPLOYMENT_TRAFFIC_ROUTING;
    if (routing !== 'ALL_AT_ONCE') {
      const size = config.DEPLOYMENT_STEP_SIZE;
      const percent =
        config.DEPLOYMENT_STEP_TYPE === 'CAPACITY_PERCENT'
          ? size
          : (100 * size) / config.ENDPOINT_INSTANCE_COUNT;
      const [min, max] = routing === 'CANARY' ? [0, 50] : [10, 50];
      if (percent < min || percent > max) {
        issueAt(
          'DEPLOYMENT_STEP_SIZE',
          `must be ${routing === 'CANARY' ? 'at most 50%' : '10-50%'} of the endpoint's ${config.ENDPOINT_INSTANCE_COUNT} instance(s) for ${routing} (got ${size} ${config.DEPLOYMENT_STEP_TYPE})`,
        );
      }
    }
    const prefix = `${config.PIPELINE_NAME}-`;
    for (const alarm of config.ROLLBACK_ALARMS.filter((name) => !name.startsWith(prefix))) {
      issueAt(
        'ROLLBACK_ALARMS',
        `must name alarms starting with ${prefix} (the role may only describe those): ${alarm}`,
      );
    }
  }),
);
export type DeployModelConfig = v.InferOutput<typeof deployModelEnv>;
