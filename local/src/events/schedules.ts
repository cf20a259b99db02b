// EventBridge schedule rules, from the `schedule` events of the services' serverless.yml: a `rate(...)` rule
// sends its target AWS's `Scheduled Event` every period, with the period scaled by the stack's time scale (a
// 15-minute reconcile runs every 90 s at 0.1). Any rule can also be run at once (`run`, POST /_local/schedules),
// so that a test does not wait for a period. `cron(...)` rules are kept, listed and run on demand only.
import { randomUUID } from 'node:crypto';
import type { StackLogger } from '../log.js';
import { type BusEvent, eventTime } from './bus.js';

const UNIT_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
const RATE = /^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$/;

/**
 * The period of a `rate(...)` expression in AWS's milliseconds, or undefined for a `cron(...)` one. AWS wants
 * the singular unit for 1 and the plural otherwise; anything else is refused with the expression named.
 */
export function ratePeriodMs(expression: string): number | undefined {
  const text = expression.trim();
  if (/^cron\(.+\)$/.test(text)) return undefined;
  const match = RATE.exec(text);
  const value = Number(match?.[1]);
  const unit = match?.[2] ?? '';
  if (!match || value < 1 || (value === 1) !== !unit.endsWith('s')) {
    throw new Error(
      `schedule expression ${JSON.stringify(expression)} is not rate(1 minute|hour|day) or rate(N minutes|hours|days), nor cron(...)`,
    );
  }
  return value * (UNIT_MS[unit.replace(/s$/, '')] ?? 0);
}

export interface ScheduleRule {
  name: string;
  expression: string;
  /** The ARNs of its targets (a function's), for a listing to say what a rule runs. */
  targets?: string[];
  /** Receives the `Scheduled Event`. */
  target: (event: BusEvent) => void;
}

interface ActiveRule extends ScheduleRule {
  arn: string;
  /** AWS's period; undefined for cron rules. */
  periodMs?: number;
  timer?: NodeJS.Timeout;
  runs: number;
  lastRunAt?: string;
}

export class Scheduler {
  private readonly rules = new Map<string, ActiveRule>();

  constructor(
    private readonly region: string,
    private readonly account: string,
    /** Stack time per AWS time: the period of a rule on the stack is its AWS period times this. */
    private readonly timeScale: number,
    private readonly logger: StackLogger,
  ) {}

  add(rule: ScheduleRule): void {
    if (this.rules.has(rule.name)) throw new Error(`schedule rule ${rule.name} exists already`);
    const periodMs = ratePeriodMs(rule.expression);
    const active: ActiveRule = {
      ...rule,
      arn: `arn:aws:events:${this.region}:${this.account}:rule/${rule.name}`,
      periodMs,
      runs: 0,
    };
    if (periodMs === undefined) {
      this.logger.warn('schedule', `${rule.name}: ${rule.expression} runs only on demand offline`);
    } else if (this.timeScale > 0) {
      active.timer = setInterval(() => this.fire(active), Math.max(10, periodMs * this.timeScale));
      active.timer.unref();
    }
    this.rules.set(rule.name, active);
  }

  remove(name: string): void {
    const rule = this.rules.get(name);
    if (rule?.timer) clearInterval(rule.timer);
    this.rules.delete(name);
  }

  /** Runs a rule now, as its next period would; returns the event it sent. */
  run(name: string): BusEvent {
    const rule = this.rules.get(name);
    if (!rule) throw new Error(`no schedule rule ${name} (known: ${[...this.rules.keys()].join(', ')})`);
    return this.fire(rule);
  }

  list(): {
    name: string;
    arn: string;
    expression: string;
    targets: string[];
    everyMs?: number;
    runs: number;
    lastRunAt?: string;
  }[] {
    return [...this.rules.values()].map((rule) => ({
      name: rule.name,
      arn: rule.arn,
      expression: rule.expression,
      targets: rule.targets ?? [],
      ...(rule.periodMs !== undefined && this.timeScale > 0
        ? { everyMs: rule.periodMs * this.timeScale }
        : {}),
      runs: rule.runs,
      ...(rule.lastRunAt ? { lastRunAt: rule.lastRunAt } : {}),
    }));
  }

  stop(): void {
    for (const rule of this.rules.values()) clearInterval(rule.timer);
  }

  private fire(rule: ActiveRule): BusEvent {
    const event: BusEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: this.account,
      time: eventTime(),
      region: this.region,
      resources: [rule.arn],
      detail: {},
    };
    rule.runs += 1;
    rule.lastRunAt = new Date().toISOString();
    rule.target(event);
    return event;
  }
}
