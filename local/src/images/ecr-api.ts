// ECR's DescribeRepositories (AWS JSON 1.1), which the framework asks before it removes a service: the
// repositories images were pushed to and those CloudFormation made. Images are pushed with `pnpm pipeline push`
// or the stack's registry API, not with docker, so ECR's other operations are not served.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AwsError } from '../aws/errors.js';
import { jsonObjectOf, readBody, sendJson } from '../http-util.js';

export function ecrRoute(options: { region: string; account: string; repositories: () => Iterable<string> }) {
  const { region, account } = options;
  const describe = (repositoryName: string) => ({
    repositoryName,
    repositoryArn: `arn:aws:ecr:${region}:${account}:repository/${repositoryName}`,
    repositoryUri: `${account}.dkr.ecr.${region}.amazonaws.com/${repositoryName}`,
    registryId: account,
    imageTagMutability: 'MUTABLE',
  });
  return async (req: IncomingMessage, res: ServerResponse, _url: URL, requestId: string): Promise<void> => {
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.slice(target.indexOf('.') + 1);
    const raw = (await readBody(req, 64 * 1024)).toString('utf8');
    if (operation !== 'DescribeRepositories') {
      throw new AwsError(
        'UnknownOperationException',
        `The offline stack's ECR serves DescribeRepositories only (images are pushed with \`pnpm pipeline push\`), not ${operation.slice(0, 100) || 'this operation'}`,
      );
    }
    const input = jsonObjectOf(
      raw,
      () => new AwsError('SerializationException', 'Request body must be a JSON object'),
    );
    const known = new Set(options.repositories());
    const names = Array.isArray(input.repositoryNames) ? input.repositoryNames.map(String) : [...known];
    const missing = names.find((name) => !known.has(name));
    if (missing !== undefined) {
      throw new AwsError(
        'RepositoryNotFoundException',
        `The repository with name '${missing.slice(0, 256)}' does not exist in the registry with id '${account}'`,
      );
    }
    sendJson(
      res,
      200,
      { repositories: names.map(describe) },
      { 'x-amzn-requestid': requestId },
      'application/x-amz-json-1.1',
    );
  };
}
