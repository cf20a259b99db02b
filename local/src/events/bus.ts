// EventBridge: `PutEvents` validated like AWS with per-entry results, `TestEventPattern`, one default bus that
// records every event, and rules (pattern -> target) taken from the stages' serverless.yml.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AwsError, sendJsonError } from '../aws/errors.js';
import { readBody, sendJson } from '../http-util.js';
import { type EventPattern, InvalidEventPatternError, matchesPattern, validatePattern } from './pattern.js';

export interface BusEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

export interface Rule {
  name: string;
  pattern: EventPattern;
  target: (event: BusEvent) => void;
}

export interface RecordedEvent {
  event: BusEvent;
  receivedAt: string;
  matchedRules: string[];
}

const MAX_RECORDED = 10_000;
const MAX_ENTRY_BYTES = 256 * 1024;

export const eventTime = (date = new Date()): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

interface PutEventsEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  Resources?: string[];
  Time?: number;
  EventBusName?: string;
}

type EntryResult = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

/** The fields of an entry that AWS's JSON protocol takes as strings. */
const STRING_FIELDS = ['Source', 'DetailType', 'Detail', 'EventBusName', 'TraceHeader'] as const;

/**
 * Refuses, for the whole request as AWS does, an entry that is no structure (a `null` member: a
 * ValidationException) or whose string fields are of another JSON type (a SerializationException).
 */
function checkEntryShape(entry: unknown, index: number): void {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw new AwsError(
      'ValidationException',
      `1 validation error detected: Value null at 'entries.${index + 1}.member' failed to satisfy constraint: Member must not be null`,
    );
  }
  for (const field of STRING_FIELDS) {
    const value = (entry as Record<string, unknown>)[field];
    if (value !== undefined && typeof value !== 'string') {
      throw new AwsError('SerializationException', `Entries[${index}].${field} must be a string`);
    }
  }
}

export class EventBus {
  readonly recorded: RecordedEvent[] = [];
  private readonly rules: Rule[] = [];
  private readonly listeners = new Set<(event: BusEvent) => void>();

  constructor(
    private readonly region: string,
    private readonly account: string,
  ) {}

  get busArn(): string {
    return `arn:aws:events:${this.region}:${this.account}:event-bus/default`;
  }

  addRule(rule: Rule): void {
    validatePattern(rule.pattern);
    this.rules.push(rule);
  }

  removeRule(name: string): void {
    const index = this.rules.findIndex((rule) => rule.name === name);
    if (index >= 0) this.rules.splice(index, 1);
  }

  listRules(): { name: string; pattern: EventPattern }[] {
    return this.rules.map(({ name, pattern }) => ({ name, pattern }));
  }

  /** Events of the emulated AWS services (SageMaker, ECR): no `aws.` source restriction. */
  emit(
    source: string,
    detailType: string,
    detail: Record<string, unknown>,
    resources: string[] = [],
  ): BusEvent {
    return this.publish({
      version: '0',
      id: randomUUID(),
      'detail-type': detailType,
      source,
      account: this.account,
      time: eventTime(),
      region: this.region,
      resources,
      detail,
    });
  }

  /**
   * Calls `listener` with every event put on the bus, once its targets are scheduled (tests use it to act at
   * the moment an event is emitted). A listener that throws is ignored. Returns the unsubscribe function.
   */
  subscribe(listener: (event: BusEvent) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /**
   * Delivers an event again, with the same id and payload, to the rules it matches, as EventBridge may: it
   * delivers at least once, so a target can receive an event twice or more, at the same time or later. The
   * event is not recorded again. Returns the names of the rules it went to.
   */
  redeliver(eventOrId: BusEvent | string): string[] {
    const event =
      typeof eventOrId === 'string'
        ? this.recorded.find((recorded) => recorded.event.id === eventOrId)?.event
        : eventOrId;
    if (!event) throw new Error(`no recorded event with id ${String(eventOrId)}`);
    return this.dispatch(event);
  }

  private dispatch(event: BusEvent): string[] {
    const matched = this.rules.filter((rule) => matchesPattern(rule.pattern, event));
    for (const rule of matched) setImmediate(() => rule.target(event));
    return matched.map((rule) => rule.name);
  }

  private publish(event: BusEvent): BusEvent {
    const matchedRules = this.dispatch(event);
    this.recorded.push({ event, receivedAt: new Date().toISOString(), matchedRules });
    if (this.recorded.length > MAX_RECORDED) this.recorded.splice(0, this.recorded.length - MAX_RECORDED);
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // a listener's fault is not the publisher's
      }
    }
    return event;
  }

  private putEntry(entry: PutEventsEntry): EntryResult {
    const invalid = (name: string): EntryResult => ({
      ErrorCode: 'InvalidArgument',
      ErrorMessage: `Parameter ${name} is not valid. Reason: ${name} is a required argument.`,
    });
    if (!entry.Source) return invalid('Source');
    if (!entry.DetailType) return invalid('DetailType');
    if (!entry.Detail) return invalid('Detail');
    const bus = entry.EventBusName;
    if (bus && bus !== 'default' && bus !== this.busArn) {
      return { ErrorCode: 'ResourceNotFoundException', ErrorMessage: `Event bus ${bus} does not exist.` };
    }
    if (entry.Source.startsWith('aws.')) {
      return { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' };
    }
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail);
    } catch {
      detail = undefined;
    }
    if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    const event = this.publish({
      version: '0',
      id: randomUUID(),
      'detail-type': entry.DetailType,
      source: entry.Source,
      account: this.account,
      time: eventTime(entry.Time !== undefined ? new Date(entry.Time * 1000) : new Date()),
      region: this.region,
      resources: entry.Resources ?? [],
      detail: detail as Record<string, unknown>,
    });
    return { EventId: event.id };
  }

  async handle(req: IncomingMessage, res: ServerResponse, _url: URL, requestId: string): Promise<void> {
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith('AWSEvents.') ? target.slice('AWSEvents.'.length) : '';
    const raw = await readBody(req, 2 * 1024 * 1024);
    let parsed: unknown;
    try {
      parsed = raw.length ? JSON.parse(raw.toString('utf8')) : {};
    } catch {
      throw new AwsError('SerializationException', 'Request body is not valid JSON');
    }
    // Every operation's input is a structure: `null`, a list or a string is refused as AWS does.
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new AwsError('SerializationException', 'Request body must be a JSON object');
    }
    const input = parsed as Record<string, unknown>;
    const reply = (body: unknown): void =>
      sendJson(res, 200, body, { 'x-amzn-requestid': requestId }, 'application/x-amz-json-1.1');
    try {
      switch (operation) {
        case 'PutEvents': {
          const entries = input.Entries;
          if (!Array.isArray(entries)) {
            throw new AwsError(
              'ValidationException',
              "1 validation error detected: Value null at 'entries' failed to satisfy constraint: Member must not be null",
            );
          }
          if (entries.length < 1 || entries.length > 10) {
            throw new AwsError(
              'ValidationException',
              `1 validation error detected: Value '[...]' at 'entries' failed to satisfy constraint: Member must have length ${
                entries.length < 1 ? 'greater than or equal to 1' : 'less than or equal to 10'
              }`,
            );
          }
          if (Buffer.byteLength(JSON.stringify(entries)) > MAX_ENTRY_BYTES) {
            throw new AwsError(
              'ValidationException',
              'Total size of the entries in the request is over the limit.',
            );
          }
          entries.forEach(checkEntryShape);
          const results = (entries as PutEventsEntry[]).map((entry) => this.putEntry(entry));
          reply({
            FailedEntryCount: results.filter((result) => 'ErrorCode' in result).length,
            Entries: results,
          });
          return;
        }
        case 'TestEventPattern': {
          let pattern: unknown;
          let event: unknown;
          try {
            pattern = JSON.parse(String(input.EventPattern));
            event = JSON.parse(String(input.Event));
          } catch {
            throw new AwsError(
              'InvalidEventPatternException',
              'Event pattern is not valid. Reason: not JSON',
            );
          }
          validatePattern(pattern);
          reply({ Result: matchesPattern(pattern, event) });
          return;
        }
        default:
          throw new AwsError(
            'UnknownOperationException',
            `The local EventBridge does not implement ${target || 'this operation'}`,
          );
      }
    } catch (error) {
      if (error instanceof InvalidEventPatternError) {
        sendJsonError(res, new AwsError('InvalidEventPatternException', error.message), requestId);
        return;
      }
      throw error;
    }
  }
}
