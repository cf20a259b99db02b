import { loadConfig } from '@sagemaker-pipeline/shared/config';
import { deployModelEnv } from '../../src/config.js';

const required = {
  PIPELINE_NAME: 'mlpipe-dev',
  MODEL_REGISTRY_NAME: 'mlpipe-dev',
  SAGEMAKER_ROLE: 'arn:aws:iam::000000000000:role/mlpipe-dev-sagemaker',
  ENDPOINT_NAME: 'mlpipe-dev',
};
const load = (env: Record<string, string>) => loadConfig(deployModelEnv, { ...required, ...env });

describe('Config: deployModelEnv', () => {
  it('defaults to one ml.m5.large instance and an all-at-once blue/green update without alarms', () => {
    expect(load({})).toEqual({
      ...required,
      ENDPOINT_INSTANCE_TYPE: 'ml.m5.large',
      ENDPOINT_INSTANCE_COUNT: 1,
      DEPLOYMENT_TRAFFIC_ROUTING: 'ALL_AT_ONCE',
      DEPLOYMENT_STEP_TYPE: 'CAPACITY_PERCENT',
      DEPLOYMENT_STEP_SIZE: 10,
      DEPLOYMENT_WAIT_SECONDS: 300,
      DEPLOYMENT_TERMINATION_WAIT_SECONDS: 0,
      DEPLOYMENT_MAX_EXECUTION_SECONDS: 3600,
      ROLLBACK_ALARMS: [],
    });
  });

  it('reads a comma-separated alarm list, ignoring blanks', () => {
    expect(load({ ROLLBACK_ALARMS: ' mlpipe-dev-errors ,, mlpipe-dev-latency' }).ROLLBACK_ALARMS).toEqual([
      'mlpipe-dev-errors',
      'mlpipe-dev-latency',
    ]);
  });

  it.each([
    [{ ENDPOINT_NAME: undefined as unknown as string }, 'ENDPOINT_NAME is required'],
    [{ MODEL_REGISTRY_NAME: 'group/with/slashes' }, 'MODEL_REGISTRY_NAME must be a model package group name'],
    [{ ENDPOINT_INSTANCE_TYPE: 'm5.large' }, 'ENDPOINT_INSTANCE_TYPE must be a SageMaker instance type'],
    [{ DEPLOYMENT_TRAFFIC_ROUTING: 'BLUE_GREEN' }, 'DEPLOYMENT_TRAFFIC_ROUTING'],
    [{ DEPLOYMENT_WAIT_SECONDS: '3601' }, 'DEPLOYMENT_WAIT_SECONDS'],
    [{ DEPLOYMENT_MAX_EXECUTION_SECONDS: '300' }, 'DEPLOYMENT_MAX_EXECUTION_SECONDS'],
    [
      { DEPLOYMENT_TRAFFIC_ROUTING: 'CANARY', DEPLOYMENT_STEP_SIZE: '60' },
      "DEPLOYMENT_STEP_SIZE must be at most 50% of the endpoint's 1 instance(s) for CANARY (got 60 CAPACITY_PERCENT)",
    ],
    [
      { DEPLOYMENT_TRAFFIC_ROUTING: 'LINEAR', DEPLOYMENT_STEP_SIZE: '5' },
      "DEPLOYMENT_STEP_SIZE must be 10-50% of the endpoint's 1 instance(s) for LINEAR (got 5 CAPACITY_PERCENT)",
    ],
    [
      {
        DEPLOYMENT_TRAFFIC_ROUTING: 'CANARY',
        DEPLOYMENT_STEP_TYPE: 'INSTANCE_COUNT',
        DEPLOYMENT_STEP_SIZE: '1',
      },
      'DEPLOYMENT_STEP_SIZE must be at most 50%',
    ],
    [
      { ROLLBACK_ALARMS: 'mlpipe-dev-errors,someone-elses-alarm' },
      'ROLLBACK_ALARMS must name alarms starting with mlpipe-dev- (the role may only describe those): someone-elses-alarm',
    ],
    [
      { ROLLBACK_ALARMS: Array.from({ length: 11 }, (_, i) => `mlpipe-dev-a${i}`).join(',') },
      'ROLLBACK_ALARMS must name at most 10 alarms',
    ],
  ])('refuses %o with a message naming the variable', (env, message) => {
    expect(() => load(env)).toThrow(message);
  });

  it('accepts a canary of one instance out of two and a linear step of one instance out of four', () => {
    expect(() =>
      load({
        ENDPOINT_INSTANCE_COUNT: '2',
        DEPLOYMENT_TRAFFIC_ROUTING: 'CANARY',
        DEPLOYMENT_STEP_TYPE: 'INSTANCE_COUNT',
        DEPLOYMENT_STEP_SIZE: '1',
      }),
    ).not.toThrow();
    expect(() =>
      load({
        ENDPOINT_INSTANCE_COUNT: '4',
        DEPLOYMENT_TRAFFIC_ROUTING: 'LINEAR',
        DEPLOYMENT_STEP_TYPE: 'INSTANCE_COUNT',
        DEPLOYMENT_STEP_SIZE: '1',
      }),
    ).not.toThrow();
  });
});
