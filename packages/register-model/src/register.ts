/**
 * The gate and the registration of one evaluation (register-model.ts runs it for an event): a completed
 * evaluation job of the pipeline has written `evaluation.json`; its metric is gated against the threshold and
 * the champion (the newest Approved package of the group). A model that passes is registered with
 * CreateModelPackage, Approved or PendingManualApproval, with a ClientToken derived from the evaluation job so
 * that a redelivered event registers nothing new. A model that fails is not
 * registered and `decision.json` is written beside the evaluation with the reasons.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import {
  CreateModelPackageCommand,
  type CreateModelPackageInput,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { JOB_TAGS } from '@sagemaker-pipeline/shared/contracts';
import { awsErrorName, TerminalError } from '@sagemaker-pipeline/shared/errors';
import type { ProcessingJobStateChangeEvent } from '@sagemaker-pipeline/shared/events';
import { isPipelineResource, pipelineResourceForm, shortHash } from '@sagemaker-pipeline/shared/naming';
import { tagValue } from '@sagemaker-pipeline/shared/training';
import { championReport, findChampion, versionOf } from './champion.js';
import type { RegisterModelConfig } from './config.js';
import { evaluationFolder, lineageOf } from './evaluated-job.js';
import {
  besides,
  DECISION_FILE,
  EVALUATION_FILE,
  readDecision,
  readEvaluation,
  requireMetric,
  writeJson,
} from './evaluation.js';
import { evaluateGate } from './gate.js';

export { versionOf } from './champion.js';

export const STAGE = 'register-model';
/** What the reference image serves (`POST /invocations`). */
export const CONTENT_TYPES = ['text/csv', 'application/json'];
export const RESPONSE_TYPES = ['application/json'];

export interface Deps {
  sagemaker: SageMakerClient;
  s3: S3Client;
  config: RegisterModelConfig;
}

export interface MetricReport {
  path: string;
  value: number;
  threshold: number;
  direction: 'higher' | 'lower';
  minImprovement: number;
}

export interface ChampionReport {
  modelPackageArn: string;
  version: number | null;
  value: number | null;
}

interface Common {
  evaluationJobName: string;
  trainingJobName: string | null;
}

export type RegisterModelResult =
  | { status: 'skipped'; reason: string; evaluationJobName: string }
  | (Common & {
      status: 'registered';
      modelPackageArn: string;
      version: number | null;
      approval: 'Approved' | 'PendingManualApproval';
      metric: MetricReport;
      champion: ChampionReport | null;
    })
  | (Common & { status: 'already-registered'; modelPackageArn: string; version: number | null })
  | (Common & { status: 'already-decided'; decision: 'registered' | 'rejected'; decisionUri: string })
  | (Common & {
      status: 'rejected';
      reasons: string[];
      decisionUri: string;
      metric: MetricReport;
      champion: ChampionReport | null;
    });

/** At most 36 characters of [a-zA-Z0-9-], the same for every delivery of the same evaluation job's event. */
export function clientToken(config: RegisterModelConfig, evaluationJobName: string): string {
  return shortHash([config.MODEL_REGISTRY_NAME, evaluationJobName], 32);
}

/** CustomerMetadataProperties: string values within SageMaker's allowed characters, empty ones left out. */
function metadata(entries: Record<string, string | number | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(entries)
      .filter((entry): entry is [string, string | number] => entry[1] !== undefined && entry[1] !== '')
      .map(([key, value]) => [key, tagValue(String(value))]),
  );
}

export async function registerModel(
  event: ProcessingJobStateChangeEvent,
  deps: Deps,
): Promise<RegisterModelResult> {
  const { sagemaker, s3, config } = deps;
  const { detail } = event;
  const job = detail.ProcessingJobName;
  if (!isPipelineResource(job, config.PIPELINE_NAME, 'eval')) {
    return {
      status: 'skipped',
      reason: `processing job ${job} is not an evaluation of pipeline ${config.PIPELINE_NAME} (its evaluations are named ${pipelineResourceForm(config.PIPELINE_NAME, 'eval')})`,
      evaluationJobName: job,
    };
  }
  const status = detail.ProcessingJobStatus;
  if (status === 'Failed' || status === 'Stopped') {
    const why = detail.FailureReason ?? detail.ExitMessage ?? 'no failure reason reported';
    throw new TerminalError(`Evaluation job ${job} ${status}: ${why}; nothing registered`);
  }
  if (status !== 'Completed') {
    return {
      status: 'skipped',
      reason: `evaluation job ${job} is ${status}, not finished`,
      evaluationJobName: job,
    };
  }

  const folder = evaluationFolder(detail, config);
  const lineage = lineageOf(detail);
  const trainingJobName = lineage.trainingJobName ?? null;
  const evaluationUri = besides(folder, EVALUATION_FILE);
  // The gate decides once per evaluation: a delivery after the decision (even after a newer champion arrived,
  // which would gate it differently) reports the recorded decision and changes nothing.
  const decisionUri = besides(folder, DECISION_FILE);
  const recorded = await readDecision(s3, decisionUri);
  if (recorded) {
    return {
      status: 'already-decided',
      decision: recorded.status,
      decisionUri,
      evaluationJobName: job,
      trainingJobName,
    };
  }
  const context = `Evaluation job ${job}`;
  const value = requireMetric(
    await readEvaluation(s3, evaluationUri, context),
    config.METRIC_PATH,
    evaluationUri,
    context,
  );
  const metric: MetricReport = {
    path: config.METRIC_PATH,
    value,
    threshold: config.METRIC_THRESHOLD,
    direction: config.METRIC_DIRECTION,
    minImprovement: config.MIN_IMPROVEMENT,
  };

  const champion = await findChampion(deps);
  if (champion && champion.evaluationJob === job) {
    // A redelivery after this very evaluation was registered and approved: it is the champion now. The run that
    // registered it stopped before writing decision.json (no decision was read above): it is written now, so
    // that the decision is recorded once and the sweep finds this evaluation decided.
    await writeJson(s3, decisionUri, {
      status: 'registered',
      modelPackageArn: champion.modelPackageArn,
      version: champion.version ?? null,
      approval: 'Approved',
      evaluationJob: job,
      trainingJob: trainingJobName,
      evaluation: evaluationUri,
      modelPackageGroup: config.MODEL_REGISTRY_NAME,
      metric,
      event: { id: event.id, time: event.time },
    });
    return {
      status: 'already-registered',
      modelPackageArn: champion.modelPackageArn,
      version: champion.version ?? null,
      evaluationJobName: job,
      trainingJobName,
    };
  }

  const gate = evaluateGate({
    metricPath: config.METRIC_PATH,
    value,
    threshold: config.METRIC_THRESHOLD,
    direction: config.METRIC_DIRECTION,
    minImprovement: config.MIN_IMPROVEMENT,
    champion,
  });

  // What both decisions record about the evaluation, the metric and the champion.
  const documented = {
    evaluationJob: job,
    trainingJob: trainingJobName,
    evaluation: evaluationUri,
    modelPackageGroup: config.MODEL_REGISTRY_NAME,
    metric,
    champion: championReport(champion),
  };
  if (!gate.passed) {
    await writeJson(s3, decisionUri, {
      status: 'rejected',
      reasons: gate.reasons,
      ...documented,
      modelDataUrl: lineage.modelDataUrl,
      imageUri: lineage.imageUri,
      event: { id: event.id, time: event.time },
    });
    return {
      status: 'rejected',
      reasons: gate.reasons,
      decisionUri,
      evaluationJobName: job,
      trainingJobName,
      metric,
      champion: championReport(champion),
    };
  }

  const approval: 'Approved' | 'PendingManualApproval' = config.MANUAL_APPROVAL
    ? 'PendingManualApproval'
    : 'Approved';
  const request: CreateModelPackageInput = {
    ModelPackageGroupName: config.MODEL_REGISTRY_NAME,
    ModelPackageDescription: (
      `Model of training job ${trainingJobName ?? '(unknown)'}, evaluated by ${job}. ` +
      `Passed the ${STAGE} gate: ${gate.summary}` +
      (approval === 'Approved' ? '.' : '; waiting for manual approval.')
    ).slice(0, 1024),
    InferenceSpecification: {
      Containers: [{ Image: lineage.imageUri, ModelDataUrl: lineage.modelDataUrl }],
      SupportedContentTypes: CONTENT_TYPES,
      SupportedResponseMIMETypes: RESPONSE_TYPES,
    },
    ModelMetrics: {
      ModelQuality: { Statistics: { ContentType: 'application/json', S3Uri: evaluationUri } },
    },
    CustomerMetadataProperties: metadata({
      pipeline: config.PIPELINE_NAME,
      [JOB_TAGS.trainingJob]: trainingJobName ?? undefined,
      'evaluation-job': job,
      'image-uri': lineage.imageUri,
      [JOB_TAGS.imageDigest]: lineage.imageDigest,
      'metric-path': config.METRIC_PATH,
      'metric-value': value,
      'metric-direction': config.METRIC_DIRECTION,
      'metric-threshold': config.METRIC_THRESHOLD,
      'min-improvement': config.MIN_IMPROVEMENT,
      'champion-version': champion ? (champion.version ?? champion.modelPackageArn) : 'none',
      'champion-value': champion?.value,
      gate: 'passed',
    }),
    ModelApprovalStatus: approval,
    ClientToken: clientToken(config, job),
  };

  let modelPackageArn: string | undefined;
  try {
    modelPackageArn = (await sagemaker.send(new CreateModelPackageCommand(request))).ModelPackageArn;
  } catch (error) {
    if (awsErrorName(error) === 'ValidationException') {
      throw new TerminalError(
        `${context}: CreateModelPackage in ${config.MODEL_REGISTRY_NAME} was refused (${(error as Error).message}); check that the group exists (infra) and the image and model URIs are valid`,
      );
    }
    throw error;
  }
  if (!modelPackageArn) throw new TerminalError(`${context}: CreateModelPackage returned no ModelPackageArn`);
  await writeJson(s3, decisionUri, {
    status: 'registered',
    modelPackageArn,
    version: versionOf(modelPackageArn),
    approval,
    ...documented,
    event: { id: event.id, time: event.time },
  });
  return {
    status: 'registered',
    modelPackageArn,
    version: versionOf(modelPackageArn),
    approval,
    evaluationJobName: job,
    trainingJobName,
    metric,
    champion: championReport(champion),
  };
}
