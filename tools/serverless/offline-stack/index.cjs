'use strict';
/**
 * Stage `local` deploys to the offline stack (`pnpm stack`), with the framework itself: every AWS call of
 * `serverless deploy`, `info`, `logs`, `invoke` and `remove` goes to the stack's endpoint, signed with test
 * credentials, and CloudFormation is polled as often as a stack that answers in milliseconds allows. Any other
 * stage is left exactly as it is: this plugin does nothing for it.
 *
 *   AWS_ENDPOINT_URL   the stack's endpoint (default http://127.0.0.1:4566, where `pnpm stack` listens)
 */

/** The stage that deploys to the offline stack. */
const OFFLINE_STAGE = 'local';
const DEFAULT_ENDPOINT = 'http://127.0.0.1:4566';
/** How often the framework polls CloudFormation, in ms (its default, 5 s, is AWS's minutes). */
const MONITORING_FREQUENCY_MS = '200';

/** The environment the framework's AWS SDK clients read, for the offline stack at `endpoint`. */
function offlineEnvironment(env) {
  return {
    AWS_ENDPOINT_URL: env.AWS_ENDPOINT_URL || DEFAULT_ENDPOINT,
    AWS_ACCESS_KEY_ID: env.AWS_ACCESS_KEY_ID || 'test',
    AWS_SECRET_ACCESS_KEY: env.AWS_SECRET_ACCESS_KEY || 'test',
    SLS_AWS_MONITORING_FREQUENCY: env.SLS_AWS_MONITORING_FREQUENCY || MONITORING_FREQUENCY_MS,
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

class OfflineStack {
  constructor(serverless, options = {}) {
    this.serverless = serverless;
    this.stage = options.stage ?? serverless.service.provider?.stage ?? 'dev';
    if (this.stage !== OFFLINE_STAGE) return;
    Object.assign(process.env, offlineEnvironment(process.env));
    // the stack's credentials are test ones: a profile of the user's would be used instead of them
    delete process.env.AWS_PROFILE;
    this.hooks = { initialize: () => this.checkReachable() };
  }

  /** A stack that is not running fails the command at once, saying how to start it. */
  async checkReachable() {
    const command = this.serverless.processedInput?.commands?.[0];
    if (!['deploy', 'info', 'logs', 'invoke', 'remove'].includes(command)) return;
    const endpoint = process.env.AWS_ENDPOINT_URL;
    try {
      const answer = await fetch(`${endpoint}/_local/health`, { signal: AbortSignal.timeout(3000) });
      if (answer.ok) return;
      throw new Error(`it answered ${answer.status}`);
    } catch (error) {
      throw new this.serverless.classes.Error(
        `Stage ${OFFLINE_STAGE} deploys to the offline stack, which does not answer at ${endpoint} (${error.message}): start it with \`pnpm stack\` in another terminal, or set AWS_ENDPOINT_URL to where it runs`,
        'OFFLINE_STACK_UNREACHABLE',
      );
    }
  }
}

module.exports = OfflineStack;
module.exports.offlineEnvironment = offlineEnvironment;
module.exports.OFFLINE_STAGE = OFFLINE_STAGE;
