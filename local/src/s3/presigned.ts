// Presigned URLs as S3 checks them: SigV4's (X-Amz-Date + X-Amz-Expires) and SigV2's query form (Expires,
// seconds since the epoch). The stack verifies no signature (it takes any credentials), but it refuses an
// expired URL as S3 does, so code that presigns learns offline when its URLs run out.
import { AwsError } from '../aws/errors.js';

/** SigV2's query authentication, which s3rver must not see: it would check it against keys of its own. */
export const SIGV2_QUERY = ['awsaccesskeyid', 'signature', 'expires'];

/** S3's longest presigned URL: a week. */
const MAX_SIGV4_EXPIRES_SECONDS = 604_800;

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** S3's refusal of a presigned URL that has expired or says when it expires wrongly, else undefined. */
export function presignedUrlRefusal(url: URL, now = Date.now()): AwsError | undefined {
  const query = new Map([...url.searchParams].map(([name, value]) => [name.toLowerCase(), value]));
  const expired = (expires: number, extra: Record<string, string> = {}) =>
    now > expires
      ? new AwsError('AccessDenied', 'Request has expired', 403, {
          ...extra,
          Expires: iso(expires),
          ServerTime: iso(now),
        })
      : undefined;
  const amzDate = query.get('x-amz-date');
  const amzExpires = query.get('x-amz-expires');
  if (query.has('x-amz-credential') && amzDate !== undefined && amzExpires !== undefined) {
    const date = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
    if (!date) {
      return new AwsError(
        'AuthorizationQueryParametersError',
        "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"",
      );
    }
    const seconds = Number(amzExpires);
    if (!Number.isInteger(seconds) || seconds < 0 || seconds > MAX_SIGV4_EXPIRES_SECONDS) {
      return new AwsError(
        'AuthorizationQueryParametersError',
        `X-Amz-Expires must be less than a week (in seconds) that is ${MAX_SIGV4_EXPIRES_SECONDS}`,
      );
    }
    const [, year, month, day, hour, minute, second] = date.map(Number) as number[];
    const signed = Date.UTC(year ?? 0, (month ?? 1) - 1, day, hour, minute, second);
    return expired(signed + seconds * 1000, { 'X-Amz-Expires': String(seconds) });
  }
  const v2Expires = query.get('expires');
  if (query.has('awsaccesskeyid') && query.has('signature') && v2Expires !== undefined) {
    const seconds = Number(v2Expires);
    return expired(Number.isFinite(seconds) ? seconds * 1000 : 0);
  }
  return undefined;
}
