// AWS-shaped errors: one error type carries the code, message and HTTP status; each protocol renders it.
import type { ServerResponse } from 'node:http';

export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = code;
  }
}

export const validationError = (message: string): AwsError => new AwsError('ValidationException', message);

/** AWS JSON 1.1 (SageMaker, EventBridge): the code in `__type`, the SDK also reads `x-amzn-ErrorType`. */
export function sendJsonError(res: ServerResponse, error: AwsError, requestId: string): void {
  const body = JSON.stringify({ __type: error.code, message: error.message, ...error.extra });
  res.writeHead(error.status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': requestId,
    'x-amzn-errortype': error.code,
  });
  res.end(body);
}

/** REST-JSON (SageMaker Runtime): the code travels in `x-amzn-ErrorType`, the fields in the body. */
export function sendRestJsonError(res: ServerResponse, error: AwsError, requestId: string): void {
  const body = JSON.stringify({ message: error.message, ...error.extra });
  res.writeHead(error.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': requestId,
    'x-amzn-errortype': error.code,
  });
  res.end(body);
}

/** Text for an XML element or attribute. XML 1.0 cannot carry most control characters: they are dropped. */
export const xmlEscape = (value: string): string =>
  value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    // biome-ignore lint/suspicious/noControlCharactersInRegex: exactly the characters XML 1.0 cannot carry
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '');

export const SNS_NAMESPACE = 'http://sns.amazonaws.com/doc/2010-03-31/';

/** AWS Query (SNS): an ErrorResponse document, `Sender` for what the caller sent wrong, `Receiver` for faults. */
export function sendQueryError(res: ServerResponse, error: AwsError, requestId: string): void {
  const body = `<ErrorResponse xmlns="${SNS_NAMESPACE}"><Error><Type>${error.status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${xmlEscape(
    error.code,
  )}</Code><Message>${xmlEscape(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
  res.writeHead(error.status, {
    'content-type': 'text/xml',
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': requestId,
  });
  res.end(body);
}

/** REST-XML (S3). */
export function sendXmlError(res: ServerResponse, error: AwsError, requestId: string): void {
  // S3 names what the error is about in elements of their own (<Key>, <Expires>...): `extra`'s text values
  const details = Object.entries(error.extra)
    .filter((entry): entry is [string, string | number] => ['string', 'number'].includes(typeof entry[1]))
    .map(([name, value]) => `<${name}>${xmlEscape(String(value))}</${name}>`)
    .join('');
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${xmlEscape(error.code)}</Code><Message>${xmlEscape(
    error.message,
  )}</Message>${details}<RequestId>${requestId}</RequestId></Error>`;
  res.writeHead(error.status, {
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(body),
    'x-amz-request-id': requestId,
  });
  res.end(body);
}

/**
 * AWS JSON 1.0 with query compatibility (SQS): `__type` carries `com.amazonaws.sqs#<Code>`, and
 * `x-amzn-query-error` the code the query protocol had (`AWS.SimpleQueueService.NonExistentQueue;Sender`).
 */
export function sendSqsError(res: ServerResponse, error: AwsError, requestId: string): void {
  const { queryError, ...extra } = error.extra;
  const body = JSON.stringify({ __type: error.code, message: error.message, ...extra });
  res.writeHead(error.status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': requestId,
    ...(typeof queryError === 'string' ? { 'x-amzn-query-error': queryError } : {}),
  });
  res.end(body);
}
