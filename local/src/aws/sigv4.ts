// Which AWS service a request is for, read from its SigV4 credential scope (header or presigned query).
import type { IncomingHttpHeaders } from 'node:http';

export interface CredentialScope {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
}

const SCOPE = /^([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request$/;

export function parseCredential(credential: string): CredentialScope | undefined {
  const match = SCOPE.exec(credential.trim());
  if (!match) return undefined;
  const [, accessKeyId = '', date = '', region = '', service = ''] = match;
  return { accessKeyId, date, region, service };
}

/** `AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/s3/aws4_request, SignedHeaders=..., Signature=...` */
export function credentialScopeOf(headers: IncomingHttpHeaders, url: URL): CredentialScope | undefined {
  const authorization = headers.authorization;
  if (authorization) {
    const match = /Credential=([^,\s]+)/.exec(authorization);
    return match?.[1] ? parseCredential(match[1]) : undefined;
  }
  const presigned = url.searchParams.get('X-Amz-Credential');
  return presigned ? parseCredential(presigned) : undefined;
}
