/**
 * The steps of the life cycle that are the endpoint: a version deployed and serving, and its predictions on
 * rows it never saw.
 */
import { DescribeEndpointCommand, type SageMakerClient } from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, type SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import type { LifecycleData, StepHandle } from './lifecycle.js';
import type { PredictionRow, VersionRow } from './report.js';
import { StepFailed, waitFor } from './wait.js';

export const countHits = (rows: PredictionRow[]) =>
  rows.filter((row) => row.expected === row.predicted).length;

export async function watchDeployment(
  sagemaker: SageMakerClient,
  endpoint: string,
  version: VersionRow,
  handle: StepHandle,
  timeout: number,
): Promise<number | string> {
  const described = await waitFor(
    `endpoint ${endpoint} serving version ${version.version}`,
    async () => {
      try {
        const current = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: endpoint }));
        if (current.EndpointStatus === 'Failed') {
          throw new StepFailed(`endpoint ${endpoint} Failed: ${current.FailureReason ?? 'no reason given'}`);
        }
        handle.update(`${endpoint} ${current.EndpointStatus}`);
        const serving =
          current.EndpointStatus === 'InService' &&
          current.EndpointConfigName?.includes(`v${version.version}`);
        return serving ||
          (current.EndpointStatus === 'InService' &&
            (await configServes(sagemaker, current.EndpointConfigName, version)))
          ? current
          : undefined;
      } catch (caught) {
        if (caught instanceof StepFailed) throw caught;
        return undefined;
      }
    },
    timeout,
  );
  handle.done(`${endpoint} InService on ${described.EndpointConfigName}`);
  return version.version;
}

/** True when the endpoint config's model was made from the version (its tags or name say so). */
async function configServes(
  sagemaker: SageMakerClient,
  configName: string | undefined,
  version: VersionRow,
): Promise<boolean> {
  if (!configName) return false;
  const { ListTagsCommand, DescribeEndpointConfigCommand } = await import('@aws-sdk/client-sagemaker');
  const config = await sagemaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName: configName }));
  if (!config.EndpointConfigArn) return false;
  const { Tags = [] } = await sagemaker.send(new ListTagsCommand({ ResourceArn: config.EndpointConfigArn }));
  return Tags.some((tag) => /version/i.test(tag.Key ?? '') && tag.Value === String(version.version));
}

export async function predict(
  runtime: SageMakerRuntimeClient,
  endpoint: string,
  holdout: LifecycleData['holdout'],
): Promise<PredictionRow[]> {
  const body = holdout.rows.map((row) => row.join(',')).join('\n');
  const response = await runtime.send(
    new InvokeEndpointCommand({
      EndpointName: endpoint,
      ContentType: 'text/csv',
      Accept: 'application/json',
      Body: body,
    }),
  );
  const answer = JSON.parse(new TextDecoder().decode(response.Body)) as {
    predictions?: { label?: unknown }[];
  };
  const labels = (answer.predictions ?? []).map((p) => String(p.label ?? ''));
  if (labels.length !== holdout.rows.length) {
    throw new StepFailed(
      `the endpoint answered ${labels.length} predictions for ${holdout.rows.length} rows`,
    );
  }
  return holdout.rows.map((row, index) => ({
    features: row.join(', '),
    expected: holdout.labels[index] ?? '',
    predicted: labels[index] ?? '',
  }));
}
