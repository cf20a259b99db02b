import { FaultInjector, parseFaults } from '../../src/faults.js';

describe('Function: parseFaults', () => {
  it('reads the settings of the --faults flag from JSON', () => {
    // Act
    const faults = parseFaults(
      '{"seed": 7, "throttle": {"share": 0.3, "operations": ["ListTrainingJobs"]}, "resourceLimitExceeded": {"times": 2}, "endpointUpdatingMs": 1500, "pingFailsOnUpdate": {"times": 1}}',
    );

    // Assess
    expect(faults).toEqual({
      seed: 7,
      throttle: { share: 0.3, operations: ['ListTrainingJobs'] },
      resourceLimitExceeded: { times: 2 },
      endpointUpdatingMs: 1500,
      pingFailsOnUpdate: { times: 1 },
    });
  });

  it('is off when nothing is given', () => {
    expect(parseFaults(undefined)).toEqual({});
    expect(new FaultInjector().enabled).toBe(false);
    expect(new FaultInjector({ throttle: { share: 0 } }).enabled).toBe(false);
  });

  it.each([
    ['not JSON', '{throttle', /faults is not JSON/],
    ['a list', '[]', /must be a JSON object/],
    ['a misspelt fault', '{"throtle": {"share": 0.3}}', /unknown setting "throtle"/],
    ['a misspelt setting', '{"throttle": {"shares": 0.3}}', /faults.throttle: unknown setting "shares"/],
    ['a share above 1', '{"throttle": {"share": 30}}', /throttle.share must be a number from 0 to 1/],
    ['a negative count', '{"resourceLimitExceeded": {"times": -1}}', /times must be a whole number/],
    ['a limit with neither', '{"resourceLimitExceeded": {}}', /needs "times" or "share"/],
    [
      'a bad operation list',
      '{"throttle": {"share": 0.1, "operations": "CreateTrainingJob"}}',
      /operation names/,
    ],
    ['a ping setting of another type', '{"pingFailsOnUpdate": "yes"}', /must be true, false or/],
  ])('refuses %s with a message naming the setting', (_case, json, message) => {
    expect(() => parseFaults(json)).toThrow(message);
  });
});

describe('Class: FaultInjector', () => {
  it('throttles about the configured share of calls with SageMaker ThrottlingException', () => {
    // Prepare
    const faults = new FaultInjector({ seed: 1, throttle: { share: 0.3 } });

    // Act
    const errors = Array.from({ length: 2_000 }, () => faults.sageMakerFault('DescribeTrainingJob', {}));

    // Assess
    const throttled = errors.filter((error) => error !== undefined);
    expect(throttled.length / errors.length).toBeGreaterThan(0.25);
    expect(throttled.length / errors.length).toBeLessThan(0.35);
    expect(throttled[0]).toMatchObject({
      code: 'ThrottlingException',
      status: 400,
      message: 'Rate exceeded',
    });
    expect(faults.counts.throttle).toBe(throttled.length);
  });

  it('makes the same decisions for the same seed', () => {
    const decisions = (seed: number) => {
      const faults = new FaultInjector({ seed, throttle: { share: 0.5 } });
      return Array.from({ length: 50 }, () => faults.sageMakerFault('ListEndpoints', {}) !== undefined);
    };
    expect(decisions(42)).toEqual(decisions(42));
    expect(decisions(42)).not.toEqual(decisions(43));
  });

  it('throttles only the listed operations', () => {
    const faults = new FaultInjector({ throttle: { share: 1, operations: ['ListTrainingJobs'] } });
    expect(faults.sageMakerFault('ListTrainingJobs', {})).toBeDefined();
    expect(faults.sageMakerFault('CreateTrainingJob', {})).toBeUndefined();
  });

  it('refuses the first N CreateTrainingJob calls with ResourceLimitExceeded naming the instance quota', () => {
    // Prepare
    const faults = new FaultInjector({ resourceLimitExceeded: { times: 2 } });
    const request = { ResourceConfig: { InstanceType: 'ml.p3.2xlarge', InstanceCount: 2 } };

    // Act
    const results = [1, 2, 3].map(() => faults.sageMakerFault('CreateTrainingJob', request));

    // Assess
    expect(results[0]).toMatchObject({ code: 'ResourceLimitExceeded', status: 400 });
    expect(results[0]?.message).toBe(
      "The account-level service limit 'ml.p3.2xlarge for training job usage' is 0 Instances, with current utilization of 0 Instances and a request delta of 2 Instances. Please use AWS Service Quotas to request an increase for this quota. If AWS Service Quotas is not available, contact AWS support to request an increase for this quota.",
    );
    expect(results[1]).toBeDefined();
    expect(results[2]).toBeUndefined();
    expect(faults.sageMakerFault('CreateProcessingJob', {})).toBeUndefined();
    expect(faults.counts.resourceLimitExceeded).toBe(2);
  });

  it('fails the health check of the first N updates only', () => {
    const faults = new FaultInjector({ pingFailsOnUpdate: { times: 1 } });
    expect([faults.failPingOnUpdate('e'), faults.failPingOnUpdate('e')]).toEqual([true, false]);
    expect(new FaultInjector({ pingFailsOnUpdate: true }).failPingOnUpdate('e')).toBe(true);
    expect(new FaultInjector().failPingOnUpdate('e')).toBe(false);
  });
});
