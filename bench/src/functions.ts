/**
 * The stage functions as the offline stack deploys them from their package for a stage (handler, environment),
 * with the service folder of their sources, paired with their baseline spec.
 */
import path from 'node:path';
import { type Stack, silentLogger, startStack } from '@sagemaker-pipeline/local';
import { FUNCTIONS, type FunctionSpec } from './baselines.js';
import { infraService, stageServices } from './paths.js';

export type FunctionDefinition = ReturnType<Stack['functions']['list']>[number] & {
  /** The service folder of its sources (`packages/deploy-model`). */
  serviceDir: string;
};

export interface BenchFunction {
  definition: FunctionDefinition;
  spec: FunctionSpec;
}

/**
 * Resolves every stage function for `stage` with a stack that is stopped at once. Every function must have a
 * baseline in baselines.ts: a new stage without one fails the bench rather than going unmeasured.
 */
export async function benchFunctions(stage: string, dir: string): Promise<BenchFunction[]> {
  const stack = await startStack({
    port: 0,
    dir,
    stage,
    services: [infraService, ...stageServices()],
    // retrain-model's image when the pipeline has no training job yet (its serverless.yml reads the env)
    env: {
      ...process.env,
      MODEL_IMAGE_URI: `000000000000.dkr.ecr.us-east-1.amazonaws.com/mlpipe-${stage}:bench`,
    },
    logger: silentLogger,
  });
  const deployed = stack.functions.list();
  await stack.stop();
  // each service's stack is `<pipeline>-<folder>-<stage>` (mlpipe-dev-deploy-model-dev)
  const definitions = deployed.map((definition) => {
    const serviceDir = stageServices().find(
      (dir) => definition.service === `mlpipe-${stage}-${path.basename(dir)}-${stage}`,
    );
    if (!serviceDir) throw new Error(`function ${definition.functionName} is of no service of packages/`);
    return { ...definition, serviceDir };
  });
  return definitions.map((definition) => {
    const spec = FUNCTIONS.find((candidate) => candidate.name === definition.name);
    if (!spec) {
      throw new Error(
        `function ${definition.name} (${definition.serviceDir}) has no baseline in bench/src/baselines.ts`,
      );
    }
    return { definition, spec };
  });
}
