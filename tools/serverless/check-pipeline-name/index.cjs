'use strict';
/**
 * Refuses to package a service whose pipeline name (`custom.pipeline.name`, `<PIPELINE_PREFIX>-<stage>`) the
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

class CheckPipelineName {
  constructor(serverless) {
    this.serverless = serverless;
    // `initialize` runs before every command's lifecycle: nothing is built, packaged or deployed yet.
    this.hooks = { initialize: () => this.check() };
  }

  check() {
    const name = this.serverless.service.custom?.pipeline?.name;
    const problem = pipelineNameProblem(name);
    if (problem) throw new this.serverless.classes.Error(problem, 'INVALID_PIPELINE_NAME');
  }
}

module.exports = CheckPipelineName;
module.exports.pipelineNameProblem = pipelineNameProblem;
module.exports.RESERVED_WORDS = RESERVED_WORDS;
