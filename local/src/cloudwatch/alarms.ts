// CloudWatch alarms of the services' templates, for the one metric the stack can know: an SQS queue's depth
// (`AWS/SQS` `ApproximateNumberOfMessagesVisible` by `QueueName`), which is how a dead-letter queue tells a
// human it holds events. The alarm is evaluated when a message arrives and every period (on the stack's time
// scale); a change of state publishes CloudWatch's notification to the SNS topics of its actions, as AWS does.
// Alarms on other metrics are kept, listed and never change state.
import type { StackLogger } from '../log.js';
import type { SnsService } from '../sns/topics.js';
import type { EmulatedQueue } from '../sqs/queue.js';

export interface AlarmDefinition {
  name: string;
  description?: string;
  namespace?: string;
  metricName?: string;
  dimensions: { name: string; value: string }[];
  statistic?: string;
  periodSeconds: number;
  evaluationPeriods: number;
  comparison: string;
  threshold: number;
  alarmActions: string[];
  okActions: string[];
}

type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

interface Alarm extends AlarmDefinition {
  arn: string;
  state: AlarmState;
  stateReason: string;
  stateChangedAt: string;
  queue?: EmulatedQueue;
  timer?: NodeJS.Timeout;
}

const COMPARE: Record<string, (value: number, threshold: number) => boolean> = {
  GreaterThanThreshold: (value, threshold) => value > threshold,
  GreaterThanOrEqualToThreshold: (value, threshold) => value >= threshold,
  LessThanThreshold: (value, threshold) => value < threshold,
  LessThanOrEqualToThreshold: (value, threshold) => value <= threshold,
};

const REGION_NAMES: Record<string, string> = {
  'us-east-1': 'US East (N. Virginia)',
  'us-east-2': 'US East (Ohio)',
  'us-west-2': 'US West (Oregon)',
  'eu-west-1': 'EU (Ireland)',
  'eu-central-1': 'EU (Frankfurt)',
  'ap-south-1': 'Asia Pacific (Mumbai)',
};

export class AlarmEvaluator {
  readonly alarms = new Map<string, Alarm>();

  constructor(
    private readonly region: string,
    private readonly account: string,
    /** Stack time per AWS time: a 60 s period is evaluated every 60 s × this. */
    private readonly timeScale: number,
    private readonly queueNamed: (name: string) => EmulatedQueue | undefined,
    private readonly sns: SnsService,
    private readonly logger: StackLogger,
  ) {}

  /** Adds an alarm, or replaces the one of that name. */
  add(definition: AlarmDefinition): void {
    this.remove(definition.name);
    const alarm: Alarm = {
      ...definition,
      arn: `arn:aws:cloudwatch:${this.region}:${this.account}:alarm:${definition.name}`,
      state: 'INSUFFICIENT_DATA',
      stateReason: 'Unchecked: Initial alarm creation',
      stateChangedAt: new Date().toISOString(),
    };
    this.alarms.set(alarm.name, alarm);
    const queueName = definition.dimensions.find((dimension) => dimension.name === 'QueueName')?.value;
    const watched =
      definition.namespace === 'AWS/SQS' && definition.metricName === 'ApproximateNumberOfMessagesVisible';
    alarm.queue = watched && queueName ? this.queueNamed(queueName) : undefined;
    if (!alarm.queue) {
      this.logger.warn('cloudwatch', `${alarm.name}: only SQS queue-depth alarms are evaluated offline`);
      return;
    }
    alarm.queue.onMessage(() => this.evaluate(alarm));
    alarm.timer = setInterval(
      () => this.evaluate(alarm),
      Math.max(50, definition.periodSeconds * 1000 * this.timeScale),
    );
    alarm.timer.unref();
    this.evaluate(alarm);
  }

  remove(name: string): void {
    const alarm = this.alarms.get(name);
    if (alarm?.timer) clearInterval(alarm.timer);
    this.alarms.delete(name);
  }

  list(): { name: string; state: AlarmState; stateReason: string; stateChangedAt: string }[] {
    return [...this.alarms.values()].map(({ name, state, stateReason, stateChangedAt }) => ({
      name,
      state,
      stateReason,
      stateChangedAt,
    }));
  }

  stop(): void {
    for (const alarm of this.alarms.values()) clearInterval(alarm.timer);
  }

  private evaluate(alarm: Alarm): void {
    if (this.alarms.get(alarm.name) !== alarm) return; // removed or replaced
    const queue = alarm.queue;
    const compare = COMPARE[alarm.comparison];
    if (!queue || !compare) return;
    const value = queue.visible().length;
    const state: AlarmState = compare(value, alarm.threshold) ? 'ALARM' : 'OK';
    if (state === alarm.state) return;
    const old = alarm.state;
    const now = new Date();
    alarm.state = state;
    alarm.stateChangedAt = now.toISOString();
    alarm.stateReason = `Threshold Crossed: 1 datapoint [${value.toFixed(1)} (${now.toISOString()})] was ${
      state === 'ALARM' ? '' : 'not '
    }${alarm.comparison
      .replace(/Threshold$/, '')
      .replace(/([A-Z])/g, ' $1')
      .trim()
      .toLowerCase()} the threshold (${alarm.threshold.toFixed(1)}).`;
    const actions = state === 'ALARM' ? alarm.alarmActions : old === 'ALARM' ? alarm.okActions : [];
    const regionName = REGION_NAMES[this.region] ?? this.region;
    const notification = JSON.stringify({
      AlarmName: alarm.name,
      AlarmDescription: alarm.description ?? null,
      AWSAccountId: this.account,
      AlarmConfigurationUpdatedTimestamp: now.toISOString(),
      NewStateValue: state,
      NewStateReason: alarm.stateReason,
      StateChangeTime: now.toISOString(),
      Region: regionName,
      AlarmArn: alarm.arn,
      OldStateValue: old,
      OKActions: alarm.okActions,
      AlarmActions: alarm.alarmActions,
      InsufficientDataActions: [],
      Trigger: {
        MetricName: alarm.metricName,
        Namespace: alarm.namespace,
        StatisticType: 'Statistic',
        Statistic: (alarm.statistic ?? 'Maximum').toUpperCase(),
        Unit: null,
        Dimensions: alarm.dimensions,
        Period: alarm.periodSeconds,
        EvaluationPeriods: alarm.evaluationPeriods,
        ComparisonOperator: alarm.comparison,
        Threshold: alarm.threshold,
        TreatMissingData: 'notBreaching',
      },
    });
    this.logger.info('cloudwatch', `${alarm.name} ${old} -> ${state}`);
    for (const action of actions) {
      if (!this.sns.topics.has(action)) {
        this.logger.warn('cloudwatch', `${alarm.name}: action ${action} is not a topic of the stack`);
        continue;
      }
      this.sns.publish(action, notification, `${state}: "${alarm.name}" in ${regionName}`.slice(0, 100));
    }
  }
}
