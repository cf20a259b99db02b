// STS's GetCallerIdentity (AWS Query protocol): who the caller is, which the framework asks before a deploy. The
// stack verifies no credentials: every caller is the stack's account.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AwsError } from './aws/errors.js';
import { readQuery, sendQueryResult } from './aws/query.js';

const NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';

export function stsRoute(account: string) {
  return async (req: IncomingMessage, res: ServerResponse, url: URL, requestId: string): Promise<void> => {
    const { action } = await readQuery(req, url);
    if (action !== 'GetCallerIdentity') {
      throw new AwsError(
        'InvalidAction',
        `Could not find operation ${action.slice(0, 100) || '(none)'} (the offline stack's STS serves GetCallerIdentity)`,
      );
    }
    sendQueryResult(
      res,
      action,
      NAMESPACE,
      { UserId: 'AIDAOFFLINESTACKUSER', Account: account, Arn: `arn:aws:iam::${account}:user/offline-stack` },
      requestId,
    );
  };
}
