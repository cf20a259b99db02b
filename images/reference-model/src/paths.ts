// Where the SageMaker container contract puts things. In a real container everything is under /opt/ml; the
// offline stack maps /opt/ml under $SM_LOCAL_ROOT and also sets the training toolkit's SM_* variables, which
// win when present.
import path from 'node:path';

export type Env = Record<string, string | undefined>;

export const optMl = (env: Env, ...parts: string[]): string =>
  path.join(env.SM_LOCAL_ROOT ?? '', '/opt/ml', ...parts);

export const modelDir = (env: Env): string => env.SM_MODEL_DIR ?? optMl(env, 'model');

export const inputConfigDir = (env: Env): string => env.SM_INPUT_CONFIG_DIR ?? optMl(env, 'input', 'config');

export const channelDir = (env: Env, channel: string): string =>
  env[`SM_CHANNEL_${channel.toUpperCase()}`] ?? optMl(env, 'input', 'data', channel);

/** The file whose content SageMaker reports as the job's FailureReason. */
export const failureFile = (env: Env): string =>
  path.join(env.SM_OUTPUT_DIR ?? optMl(env, 'output'), 'failure');

/** The evaluation (processing) job's fixed local paths: ProcessingInputs/Outputs must use these. */
export const processingPaths = (env: Env) => ({
  model: optMl(env, 'processing', 'model'),
  evaluation: optMl(env, 'processing', 'evaluation'),
  output: optMl(env, 'processing', 'output'),
});
