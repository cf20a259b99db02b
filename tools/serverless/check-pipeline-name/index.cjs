'use strict';
/**
 * Refuses, before anything is built, to package or deploy a service whose names would be wrong.
 *
 * The account: pipeline.yml names the bucket and the SageMaker role the functions pass from AWS_ACCOUNT_ID, and
 * falls back to 000000000000, the offline stack's account. `serverless deploy` without it (but for stage local,
 * which deploys to the offline stack), or any command for a stage other than the offline ones (dev, local), would
 * ship functions that pass a role of another account and read a bucket that does not exist, so it fails with
 * what to set.
 *
 * The pipeline name: refuses a service whose pipeline name (`custom.pipeline.name`, `<PIPELINE_PREFIX>-<stage>`) the
 * functions would refuse at cold start (shared/src/config/fields.ts), above all one that contains a kind word.
 * Resource names are `<pipeline>-<kind>-<hash>` and the event rules and IAM scopes match `<pipeline>-<kind>-`:
 * a pipeline `mlpipe-train` has names that pipeline `mlpipe`'s `mlpipe-train-*` would also match.
 */

/** The first word of each kind of shared/src/naming.ts (NAME_KINDS); a test keeps the two lists equal. */
const RESERVED_WORDS = ['train', 'retrain', 'eval', 'model', 'endpoint'];
const KINDS = 'train, retrain, eval, model, endpoint-config';
const MAX_LENGTH = 32;

/** What is wrong with `name` as a pipeline name, or undefined when nothing is. */
function pipelineNameProblem(name) {
  if (typeof name !== 'string' || !/^[a-zA-Z0-9]+(-[a-zA-Z0-9]+)*$/.test(name)) {
    return `Pipeline name ${name} must be letters and digits in words joined by single hyphens, such as mlpipe-dev`;
  }
  if (name.length > MAX_LENGTH) {
    return `Pipeline name ${name} has ${name.length} characters, more than ${MAX_LENGTH}: its resource names would be truncated`;
  }
  const words = name.split('-');
  const index = words.findIndex((word) => RESERVED_WORDS.includes(word.toLowerCase()));
  if (index < 0) return undefined;
  const word = words[index].toLowerCase();
  const shorter = words.slice(0, index).join('-');
  const example = shorter ? ` (pipeline ${shorter}'s ${shorter}-${words[index]}-* would include them)` : '';
  return (
    `Pipeline name ${name} contains the reserved word "${word}": resource names are <pipeline>-<kind>-<hash> ` +
    `(kinds ${KINDS}), so another pipeline's name filters, event rules and IAM scopes could match this ` +
    `pipeline's resources${example}; choose another PIPELINE_PREFIX or stage`
  );
}

/** The stages that package for the offline stack and the tests, where the offline account is right. */
const OFFLINE_STAGES = ['dev', 'local'];
const FIND_ACCOUNT = 'export AWS_ACCOUNT_ID=$(aws sts get-caller-identity --query Account --output text)';

/** What is wrong with the account that `command` for `stage` would name resources with, or undefined. */
function accountProblem({ account, stage, command }) {
  if (account !== undefined && account !== '') {
    return /^\d{12}$/.test(account)
      ? undefined
      : `AWS_ACCOUNT_ID ${account} is not an AWS account ID (12 digits); set it to the account you deploy to: ${FIND_ACCOUNT}`;
  }
  if (command !== 'deploy' && OFFLINE_STAGES.includes(stage)) return undefined;
  // stage local deploys to the offline stack (tools/serverless/offline-stack), whose account this is
  if (stage === 'local') return undefined;
  const why =
    command === 'deploy'
      ? `serverless deploy of stage ${stage}`
      : `stage ${stage} (not one of the offline stages ${OFFLINE_STAGES.join(', ')})`;
  return (
    `AWS_ACCOUNT_ID is not set: ${why} would name the bucket and the SageMaker role of account 000000000000, ` +
    `the offline stack's, and its functions would pass a role and read a bucket that do not exist. Set it to the ` +
    `account you deploy to: ${FIND_ACCOUNT}`
  );
}

class CheckPipelineName {
  constructor(serverless, options = {}) {
    this.serverless = serverless;
    this.options = options;
    // `initialize` runs before every command's lifecycle: nothing is built, packaged or deployed yet.
    this.hooks = { initialize: () => this.check() };
  }

  check() {
    const name = this.serverless.service.custom?.pipeline?.name;
    const problem = pipelineNameProblem(name);
    if (problem) throw new this.serverless.classes.Error(problem, 'INVALID_PIPELINE_NAME');
    const account = accountProblem({
      account: process.env.AWS_ACCOUNT_ID,
      stage: this.options.stage ?? this.serverless.service.provider?.stage ?? 'dev',
      command: this.serverless.processedInput?.commands?.[0],
    });
    if (account) throw new this.serverless.classes.Error(account, 'MISSING_AWS_ACCOUNT_ID');
  }
}

module.exports = CheckPipelineName;
module.exports.pipelineNameProblem = pipelineNameProblem;
module.exports.accountProblem = accountProblem;
module.exports.RESERVED_WORDS = RESERVED_WORDS;
