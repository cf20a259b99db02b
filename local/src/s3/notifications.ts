// Bucket notification configurations: the S3 API's XML form, and which rule an object event matches.
import { XMLParser } from 'fast-xml-parser';

export interface NotificationRule {
  id: string;
  target: { kind: 'queue' | 'function'; arn: string };
  /** e.g. `s3:ObjectCreated:*` */
  events: string[];
  prefix?: string;
  suffix?: string;
}

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  isArray: (name) =>
    ['QueueConfiguration', 'CloudFunctionConfiguration', 'FilterRule', 'Event'].includes(name),
});

interface XmlFilterRule {
  Name?: string;
  Value?: string;
}
interface XmlConfiguration {
  Id?: string;
  Queue?: string;
  CloudFunction?: string;
  Event?: string[];
  Filter?: { S3Key?: { FilterRule?: XmlFilterRule[] } };
}

function filterOf(config: XmlConfiguration): Pick<NotificationRule, 'prefix' | 'suffix'> {
  const result: Pick<NotificationRule, 'prefix' | 'suffix'> = {};
  for (const rule of config.Filter?.S3Key?.FilterRule ?? []) {
    const name = rule.Name?.toLowerCase();
    if (name === 'prefix') result.prefix = rule.Value ?? '';
    if (name === 'suffix') result.suffix = rule.Value ?? '';
  }
  return result;
}

export function parseNotificationXml(xml: string): NotificationRule[] {
  const document = parser.parse(xml) as {
    NotificationConfiguration?: {
      QueueConfiguration?: XmlConfiguration[];
      CloudFunctionConfiguration?: XmlConfiguration[];
    };
  };
  const root = document.NotificationConfiguration ?? {};
  const rules: NotificationRule[] = [];
  for (const [index, config] of (root.QueueConfiguration ?? []).entries()) {
    rules.push({
      id: config.Id ?? `queue-${index + 1}`,
      target: { kind: 'queue', arn: config.Queue ?? '' },
      events: config.Event ?? [],
      ...filterOf(config),
    });
  }
  for (const [index, config] of (root.CloudFunctionConfiguration ?? []).entries()) {
    rules.push({
      id: config.Id ?? `function-${index + 1}`,
      target: { kind: 'function', arn: config.CloudFunction ?? '' },
      events: config.Event ?? [],
      ...filterOf(config),
    });
  }
  return rules;
}

const xmlEscape = (value: string): string =>
  value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function toNotificationXml(rules: NotificationRule[]): string {
  const parts = rules.map((rule) => {
    const tag = rule.target.kind === 'queue' ? 'QueueConfiguration' : 'CloudFunctionConfiguration';
    const targetTag = rule.target.kind === 'queue' ? 'Queue' : 'CloudFunction';
    const filters = [
      rule.prefix !== undefined
        ? `<FilterRule><Name>prefix</Name><Value>${xmlEscape(rule.prefix)}</Value></FilterRule>`
        : '',
      rule.suffix !== undefined
        ? `<FilterRule><Name>suffix</Name><Value>${xmlEscape(rule.suffix)}</Value></FilterRule>`
        : '',
    ].join('');
    return `<${tag}><Id>${xmlEscape(rule.id)}</Id>${filters ? `<Filter><S3Key>${filters}</S3Key></Filter>` : ''}<${targetTag}>${xmlEscape(
      rule.target.arn,
    )}</${targetTag}>${rule.events.map((event) => `<Event>${xmlEscape(event)}</Event>`).join('')}</${tag}>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${parts.join(
    '',
  )}</NotificationConfiguration>`;
}

/** `s3:ObjectCreated:*` matches `ObjectCreated:Put`; filters apply to the raw key. */
export function ruleMatches(rule: NotificationRule, eventName: string, key: string): boolean {
  const eventMatches = rule.events.some((pattern) => {
    const name = pattern.replace(/^s3:/, '');
    return name.endsWith(':*') ? eventName.startsWith(name.slice(0, -1)) : name === eventName;
  });
  if (!eventMatches) return false;
  if (rule.prefix !== undefined && !key.startsWith(rule.prefix)) return false;
  if (rule.suffix !== undefined && !key.endsWith(rule.suffix)) return false;
  return true;
}
