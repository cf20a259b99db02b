// S3's conditional requests, answered at the edge: s3rver ignores If-Match and If-None-Match.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AwsError, sendXmlError } from '../aws/errors.js';

/**
 * If-Match and If-None-Match as S3 applies them to GetObject, HeadObject and PutObject (s3rver ignores them):
 * true when the condition answered the request (412 PreconditionFailed, 304 Not Modified, or 404 for an
 * If-Match write to a missing key).
 */
export async function answeredConditionally(
  req: IncomingMessage,
  res: ServerResponse,
  objectHead: () => Promise<{ size: number; etag: string } | undefined>,
  requestId: string,
): Promise<boolean> {
  const ifMatch = req.headers['if-match'];
  const ifNoneMatch = req.headers['if-none-match'];
  const method = req.method ?? 'GET';
  if ((ifMatch === undefined && ifNoneMatch === undefined) || !['GET', 'HEAD', 'PUT'].includes(method)) {
    return false;
  }
  const current = await objectHead();
  const matches = (header: string) =>
    header
      .split(',')
      .map((tag) => tag.trim())
      .some((tag) => tag === '*' || (current !== undefined && tag.replace(/^W\//, '') === current.etag));
  const fail = (error: AwsError): true => {
    req.resume();
    if (method === 'HEAD') {
      res.writeHead(error.status, { 'x-amz-request-id': requestId, 'content-length': 0 });
      res.end();
    } else sendXmlError(res, error, requestId);
    return true;
  };
  if (ifMatch !== undefined && (current === undefined || !matches(ifMatch))) {
    if (current === undefined && method === 'PUT') {
      return fail(new AwsError('NoSuchKey', 'The specified key does not exist.', 404));
    }
    return fail(
      new AwsError(
        'PreconditionFailed',
        'At least one of the pre-conditions you specified did not hold',
        412,
      ),
    );
  }
  if (ifNoneMatch !== undefined && current !== undefined && matches(ifNoneMatch)) {
    if (method === 'PUT') {
      return fail(
        new AwsError(
          'PreconditionFailed',
          'At least one of the pre-conditions you specified did not hold',
          412,
        ),
      );
    }
    req.resume();
    res.writeHead(304, { etag: current.etag, 'x-amz-request-id': requestId });
    res.end();
    return true;
  }
  return false;
}
