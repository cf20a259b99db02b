// The AWS Query protocol (CloudFormation, STS): form-encoded requests whose lists are `Name.member.N` and whose
// structures are `Name.Field`, answered with `<ActionResponse><ActionResult>...</ActionResult>` XML in which a
// list is a sequence of `<member>` elements.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { XMLBuilder } from 'fast-xml-parser';
import { readBody } from '../http-util.js';

export type QueryValue = string | QueryValue[] | { [key: string]: QueryValue };
export type QueryInput = Record<string, QueryValue>;

const isIndex = (part: string) => /^[1-9]\d*$/.test(part);

/**
 * The request's parameters as a structure: `Parameters.member.2.ParameterKey=a` → `{ Parameters: [ , { ParameterKey:
 * 'a' }] }` (lists in member order, holes dropped), `Tags.member.1.Key`, `Capabilities.member.1=CAPABILITY_IAM`.
 */
export function parseQuery(params: URLSearchParams): QueryInput {
  const root: Record<string, unknown> = {};
  for (const [name, value] of params) {
    const parts = name.split('.').filter((part) => part !== 'member');
    let node: Record<string, unknown> = root;
    parts.forEach((part, index) => {
      const last = index === parts.length - 1;
      if (last) node[part] = value;
      else {
        if (typeof node[part] !== 'object') node[part] = {};
        node = node[part] as Record<string, unknown>;
      }
    });
  }
  // objects keyed only by 1..N are lists
  const normalise = (value: unknown): QueryValue => {
    if (typeof value === 'string') return value;
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    if (keys.length > 0 && keys.every(isIndex)) {
      return keys
        .map(Number)
        .sort((a, b) => a - b)
        .map((key) => normalise(record[String(key)]));
    }
    return Object.fromEntries(keys.map((key) => [key, normalise(record[key])]));
  };
  return normalise(root) as QueryInput;
}

/** A request's parameters, from its form body (POST) or its query string (GET). */
export async function readQuery(
  req: IncomingMessage,
  url: URL,
): Promise<{ action: string; input: QueryInput }> {
  const body = (await readBody(req, 1024 * 1024)).toString('utf8');
  const params = new URLSearchParams(req.method === 'POST' ? body : url.search);
  const action = params.get('Action') ?? '';
  params.delete('Action');
  params.delete('Version');
  return { action, input: parseQuery(params) };
}

const builder = new XMLBuilder({ ignoreAttributes: false, suppressEmptyNode: false, processEntities: true });

/** Lists become `<member>` sequences; dates ISO 8601; booleans and numbers their text; undefined is left out. */
function toXmlShape(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return { member: value.map(toXmlShape) };
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, item]) => item !== undefined)
        .map(([key, item]) => [key, toXmlShape(item)]),
    );
  }
  return value;
}

/** Answers `action` with `result` in the Query protocol's envelope. */
export function sendQueryResult(
  res: ServerResponse,
  action: string,
  namespace: string,
  result: Record<string, unknown>,
  requestId: string,
): void {
  const body = `<${action}Response xmlns="${namespace}">${builder.build({
    [`${action}Result`]: toXmlShape(result),
    ResponseMetadata: { RequestId: requestId },
  })}</${action}Response>`;
  res.writeHead(200, {
    'content-type': 'text/xml',
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': requestId,
  });
  res.end(body);
}
