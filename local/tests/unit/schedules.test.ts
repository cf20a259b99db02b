import { jest } from '@jest/globals';
import { ratePeriodMs, Scheduler } from '../../src/events/schedules.js';
import { silentLogger } from '../../src/log.js';

describe('Schedules: rate expressions and rules', () => {
  it.each([
    ['rate(1 minute)', 60_000],
    ['rate(15 minutes)', 900_000],
    ['rate(1 hour)', 3_600_000],
    ['rate(2 days)', 172_800_000],
  ])('reads %s as AWS does', (expression, ms) => {
    expect(ratePeriodMs(expression)).toBe(ms);
  });

  it('leaves cron expressions to be run on demand', () => {
    expect(ratePeriodMs('cron(0 12 * * ? *)')).toBeUndefined();
  });

  it.each(['rate(1 minutes)', 'rate(5 minute)', 'rate(0 hours)', 'every hour', 'off', 'rate(1.5 hours)'])(
    'refuses %s, naming it',
    (expression) => {
      expect(() => ratePeriodMs(expression)).toThrow(JSON.stringify(expression));
    },
  );

  it('sends the target a Scheduled Event every period on the time scale, and on demand', () => {
    jest.useFakeTimers();
    try {
      const events: unknown[] = [];
      const scheduler = new Scheduler('eu-west-1', '111122223333', 0.001, silentLogger);
      scheduler.add({ name: 'sweep', expression: 'rate(1 hour)', target: (event) => events.push(event) });

      jest.advanceTimersByTime(3_600 * 2 + 1);
      scheduler.run('sweep');
      scheduler.stop();
      jest.advanceTimersByTime(3_600 * 10);

      expect(events).toHaveLength(3);
      expect(events[0]).toMatchObject({
        'detail-type': 'Scheduled Event',
        source: 'aws.events',
        account: '111122223333',
        region: 'eu-west-1',
        resources: ['arn:aws:events:eu-west-1:111122223333:rule/sweep'],
        detail: {},
      });
      expect(scheduler.list()).toEqual([expect.objectContaining({ name: 'sweep', everyMs: 3_600, runs: 3 })]);
      expect(() => scheduler.run('nope')).toThrow('no schedule rule nope (known: sweep)');
    } finally {
      jest.useRealTimers();
    }
  });
});
