import { TerminalError } from '@sagemaker-pipeline/shared/errors';
import { newestApproved } from '@sagemaker-pipeline/shared/registry';
import { isWithin, readEvaluation, requireMetric } from './evaluation.js';
import type { Champion } from './gate.js';
import type { ChampionReport, Deps } from './register.js';

/** The version at the end of a model package ARN (`…/mlpipe-dev/3` → 3). */
export function versionOf(modelPackageArn: string): number | null {
  const match = /\/(\d+)$/.exec(modelPackageArn);
  return match ? Number(match[1]) : null;
}

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

export interface ChampionFound extends Champion {
  evaluationJob: string | undefined;
}

/**
 * The newest Approved package of the group and its metric: from the metadata this stage writes at registration,
 * else from its ModelMetrics statistics when they lie under S3_EVALUATION_RESULTS_URI (a package registered by
 * hand, or before METRIC_PATH changed).
 */
export async function findChampion({ sagemaker, s3, config }: Deps): Promise<ChampionFound | undefined> {
  // Summaries carry no metadata: the package itself is described.
  const newest = await newestApproved(sagemaker, config.MODEL_REGISTRY_NAME, 'gating');
  if (!newest) return undefined;
  const { arn, pkg } = newest;
  const metadata = pkg.CustomerMetadataProperties ?? {};
  const version = pkg.ModelPackageVersion ?? versionOf(arn) ?? undefined;
  const recorded = metadata['metric-value'];
  let value =
    metadata['metric-path'] === config.METRIC_PATH && recorded !== undefined && NUMBER.test(recorded)
      ? Number(recorded)
      : undefined;
  const statistics = pkg.ModelMetrics?.ModelQuality?.Statistics?.S3Uri;
  if (value === undefined && statistics && isWithin(statistics, config.S3_EVALUATION_RESULTS_URI)) {
    try {
      const document = await readEvaluation(s3, statistics, `Champion ${arn}`);
      value = requireMetric(document, config.METRIC_PATH, statistics, `Champion ${arn}`);
    } catch (error) {
      // A champion without a usable metric is reported by the gate; S3 faults still propagate for a retry.
      if (!(error instanceof TerminalError)) throw error;
    }
  }
  return { modelPackageArn: arn, version, value, evaluationJob: metadata['evaluation-job'] };
}

export const championReport = (champion: Champion | undefined): ChampionReport | null =>
  champion
    ? {
        modelPackageArn: champion.modelPackageArn,
        version: champion.version ?? null,
        value: champion.value ?? null,
      }
    : null;
