// Training and processing jobs run as local processes under the SageMaker container contract. The container's
// /opt/ml lives at <stack dir>/jobs/<kind>/<job>/opt/ml; SM_LOCAL_ROOT tells the entrypoint that prefix, and the
// SM_* variables of SageMaker's training toolkit carry the mapped paths.

import { appendFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { requestS3Location } from '../s3/s3-service.js';
import { startContainer } from './containers.js';
import { packDirectory } from './model-archive.js';
import type { Input, JobBase, ProcessingJob, ServiceContext, TrainingJob } from './resources.js';

declare module './resources.js' {
  interface JobBase {
    /**
     * The S3 keys each input received, by channel name (training) or input name (processing), in download
     * order; the bucket is the one of that input's S3Uri. Set as each input finishes downloading, so tests
     * can tell which objects a job trained on.
     */
    inputKeys?: Record<string, string[]>;
  }
}

const readOptional = async (file: string): Promise<string | undefined> => {
  try {
    const text = (await readFile(file, 'utf8')).trim();
    return text || undefined;
  } catch {
    return undefined;
  }
};

async function listLocalFiles(root: string, relative = ''): Promise<string[]> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(path.join(root, relative), { withFileTypes: true });
  } catch {
    return [];
  }
  const files: string[] = [];
  for (const entry of entries) {
    const child = relative ? `${relative}/${entry.name}` : entry.name;
    if (entry.isDirectory()) files.push(...(await listLocalFiles(root, child)));
    else if (entry.isFile()) files.push(child);
  }
  return files;
}

/** Copies every object under an S3 prefix into a folder, keys relative to the prefix; returns the keys copied. */
async function downloadPrefix(context: ServiceContext, uri: string, destination: string): Promise<string[]> {
  const { bucket, key: prefix } = requestS3Location(uri);
  const keys = await context.s3.listKeys(bucket, prefix);
  const downloaded: string[] = [];
  for (const key of keys) {
    const relative = key === prefix ? path.posix.basename(key) : key.slice(prefix.length).replace(/^\/+/, '');
    if (!relative || relative.endsWith('/')) continue;
    await context.s3.download(bucket, key, path.join(destination, relative));
    downloaded.push(key);
  }
  return downloaded;
}

const recordInput = (job: JobBase, name: string, keys: string[]): void => {
  job.inputKeys = { ...job.inputKeys, [name]: keys };
};

const containerEnv = (context: ServiceContext, root: string): Record<string, string> => ({
  SM_LOCAL_ROOT: root,
  AWS_REGION: context.region,
  AWS_DEFAULT_REGION: context.region,
  AWS_ENDPOINT_URL: context.endpoint(),
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_EC2_METADATA_DISABLED: 'true',
});

const stringMap = (value: unknown): Record<string, string> =>
  Object.fromEntries(
    Object.entries((value as Record<string, unknown> | undefined) ?? {}).map(([k, v]) => [k, String(v)]),
  );

/** The toolkit decodes hyperparameters that are JSON (numbers, booleans) and keeps the rest as strings. */
const decodeHyperparameter = (value: string): unknown => {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
};

const timeoutOf = (request: Input): number =>
  ((request.StoppingCondition as { MaxRuntimeInSeconds?: number } | undefined)?.MaxRuntimeInSeconds ??
    86_400) * 1000;

/**
 * Runs the job's container with its log file and the request's MaxRuntimeInSeconds; the job holds the process
 * while it runs, so that StopTrainingJob or StopProcessingJob can end it.
 */
async function runContainer(
  job: JobBase,
  context: ServiceContext,
  spec: Pick<Parameters<typeof startContainer>[0], 'image' | 'manifest' | 'args' | 'env'>,
) {
  const run = await startContainer({
    ...spec,
    logFile: job.logFile,
    tracker: context.tracker,
    timeoutMs: timeoutOf(job.request),
  });
  job.child = run.child;
  const result = await run.exited;
  job.child = undefined;
  return result;
}

export interface JobHooks<T extends JobBase> {
  changed(job: T): void;
}

export async function runTrainingJob(
  job: TrainingJob,
  context: ServiceContext,
  hooks: JobHooks<TrainingJob>,
): Promise<void> {
  const request = job.request;
  const setSecondary = (status: string, message: string): void => {
    const now = new Date();
    const last = job.transitions.at(-1);
    if (last && !last.EndTime) last.EndTime = now;
    job.transitions.push({ Status: status, StartTime: now, StatusMessage: message });
    job.secondaryStatus = status;
    job.lastModifiedTime = now;
    hooks.changed(job);
  };
  const finish = (status: string, secondary: string, message: string, failureReason?: string): void => {
    const now = new Date();
    job.status = status;
    if (failureReason) job.failureReason = failureReason.slice(0, 1024);
    job.endTime = now;
    const last = job.transitions.at(-1);
    if (last && !last.EndTime) last.EndTime = now;
    job.transitions.push({ Status: secondary, StartTime: now, EndTime: now, StatusMessage: message });
    job.secondaryStatus = secondary;
    job.lastModifiedTime = now;
    hooks.changed(job);
  };

  const root = path.join(context.dir, 'jobs', 'training', job.name);
  const optMl = path.join(root, 'opt', 'ml');
  try {
    const algorithm = request.AlgorithmSpecification as { TrainingImage?: string } | undefined;
    const { image, manifest } = await context.images.resolve(algorithm?.TrainingImage ?? '');
    await rm(root, { recursive: true, force: true });
    for (const folder of [
      'input/config',
      'input/data',
      'model',
      'output/data',
      'output/intermediate',
      'code',
      'checkpoints',
    ]) {
      await mkdir(path.join(optMl, folder), { recursive: true });
    }
    if (context.jobStartMs > 0) await sleep(context.jobStartMs); // AWS launches the instances first
    setSecondary('Downloading', 'Downloading input data');
    const channels = (request.InputDataConfig as Input[] | undefined) ?? [];
    const hyperParameters = stringMap(request.HyperParameters);
    const inputDataConfig: Record<string, unknown> = {};
    const channelEnv: Record<string, string> = {};
    for (const channel of channels) {
      const name = String(channel.ChannelName);
      const source = (channel.DataSource as { S3DataSource?: Input } | undefined)?.S3DataSource;
      inputDataConfig[name] = {
        TrainingInputMode:
          channel.InputMode ??
          (request.AlgorithmSpecification as Input | undefined)?.TrainingInputMode ??
          'File',
        S3DistributionType: source?.S3DataDistributionType ?? 'FullyReplicated',
        RecordWrapperType: channel.RecordWrapperType ?? 'None',
        ...(channel.ContentType ? { ContentType: channel.ContentType } : {}),
      };
      const destination = path.join(optMl, 'input', 'data', name);
      await mkdir(destination, { recursive: true });
      if (source?.S3Uri)
        recordInput(job, name, await downloadPrefix(context, String(source.S3Uri), destination));
      channelEnv[`SM_CHANNEL_${name.toUpperCase()}`] = destination;
    }
    const resourceConfig = { current_host: 'algo-1', hosts: ['algo-1'], network_interface_name: 'eth0' };
    await writeFile(
      path.join(optMl, 'input', 'config', 'hyperparameters.json'),
      JSON.stringify(hyperParameters),
    );
    await writeFile(
      path.join(optMl, 'input', 'config', 'inputdataconfig.json'),
      JSON.stringify(inputDataConfig),
    );
    await writeFile(
      path.join(optMl, 'input', 'config', 'resourceconfig.json'),
      JSON.stringify(resourceConfig),
    );

    const hps = Object.fromEntries(
      Object.entries(hyperParameters).map(([k, v]) => [k, decodeHyperparameter(v)]),
    );
    const smEnv: Record<string, string> = {
      SM_MODEL_DIR: path.join(optMl, 'model'),
      SM_INPUT_DIR: path.join(optMl, 'input'),
      SM_INPUT_CONFIG_DIR: path.join(optMl, 'input', 'config'),
      SM_OUTPUT_DIR: path.join(optMl, 'output'),
      SM_OUTPUT_DATA_DIR: path.join(optMl, 'output', 'data'),
      SM_OUTPUT_INTERMEDIATE_DIR: path.join(optMl, 'output', 'intermediate'),
      SM_CHANNELS: JSON.stringify(channels.map((channel) => String(channel.ChannelName))),
      SM_HPS: JSON.stringify(hps),
      SM_HOSTS: JSON.stringify(resourceConfig.hosts),
      SM_CURRENT_HOST: resourceConfig.current_host,
      SM_NUM_CPUS: String(cpus().length),
      SM_NUM_GPUS: '0',
      SM_INPUT_DATA_CONFIG: JSON.stringify(inputDataConfig),
      SM_RESOURCE_CONFIG: JSON.stringify(resourceConfig),
      TRAINING_JOB_NAME: job.name,
      TRAINING_JOB_ARN: job.arn,
      ...channelEnv,
      ...Object.fromEntries(
        Object.entries(hps).map(([k, v]) => [
          `SM_HP_${k.toUpperCase()}`,
          typeof v === 'string' ? v : JSON.stringify(v),
        ]),
      ),
    };
    smEnv.SM_TRAINING_ENV = JSON.stringify({ ...smEnv, hyperparameters: hps, job_name: job.name });

    setSecondary('Training', 'Training image download completed. Training in progress.');
    job.startTime = new Date();
    const result = await runContainer(job, context, {
      image,
      manifest,
      args: ['train'],
      env: { ...containerEnv(context, root), ...smEnv, ...stringMap(request.Environment) },
    });
    if (job.stopRequested) {
      finish('Stopped', 'Stopped', 'Training job stopped');
    } else if (result.timedOut) {
      finish('Stopped', 'MaxRuntimeExceeded', 'Job stopped because it exceeded the MaxRuntimeInSeconds');
    } else if (result.code !== 0) {
      const failure = await readOptional(path.join(optMl, 'output', 'failure'));
      finish(
        'Failed',
        'Failed',
        'Training job failed',
        `AlgorithmError: ${failure ?? 'See job logs for more information'}`,
      );
    } else {
      setSecondary('Uploading', 'Uploading generated training model');
      const output = (request.OutputDataConfig as { S3OutputPath?: string } | undefined)?.S3OutputPath ?? '';
      const { bucket, key } = requestS3Location(output);
      const base = `${key.replace(/\/+$/, '')}${key ? '/' : ''}${job.name}/output`;
      const archive = path.join(root, 'model.tar.gz');
      await packDirectory(path.join(optMl, 'model'), archive);
      await context.s3.upload(bucket, `${base}/model.tar.gz`, archive, 'application/x-tar');
      if ((await listLocalFiles(path.join(optMl, 'output', 'data'))).length) {
        const outputArchive = path.join(root, 'output.tar.gz');
        await packDirectory(path.join(optMl, 'output', 'data'), outputArchive);
        await context.s3.upload(bucket, `${base}/output.tar.gz`, outputArchive, 'application/x-tar');
      }
      job.modelArtifacts = `s3://${bucket}/${base}/model.tar.gz`;
      finish('Completed', 'Completed', 'Training job completed');
    }
  } catch (error) {
    job.child = undefined;
    await logFailure(job.logFile, error);
    finish('Failed', 'Failed', 'Training job failed', `ClientError: ${(error as Error).message}`);
  }
}

async function logFailure(logFile: string, error: unknown): Promise<void> {
  await mkdir(path.dirname(logFile), { recursive: true });
  await appendFile(logFile, `[local stack] ${(error as Error).stack ?? String(error)}\n`).catch(() => {});
}

const mapContainerPath = (root: string, value: string): string =>
  value.startsWith('/opt/ml/') || value === '/opt/ml' ? path.join(root, value) : value;

export async function runProcessingJob(
  job: ProcessingJob,
  context: ServiceContext,
  hooks: JobHooks<ProcessingJob>,
): Promise<void> {
  const request = job.request;
  const finish = (status: string, failureReason?: string): void => {
    job.status = status;
    if (failureReason) job.failureReason = failureReason.slice(0, 1024);
    job.endTime = new Date();
    job.lastModifiedTime = job.endTime;
    hooks.changed(job);
  };
  const root = path.join(context.dir, 'jobs', 'processing', job.name);
  const optMl = path.join(root, 'opt', 'ml');
  try {
    if (context.jobStartMs > 0) await sleep(context.jobStartMs); // AWS launches the instances first
    const app = (request.AppSpecification as Input | undefined) ?? {};
    const { image, manifest } = await context.images.resolve(String(app.ImageUri ?? ''));
    await rm(root, { recursive: true, force: true });
    await mkdir(path.join(optMl, 'config'), { recursive: true });
    await mkdir(path.join(optMl, 'output'), { recursive: true });
    for (const input of (request.ProcessingInputs as Input[] | undefined) ?? []) {
      const s3Input = input.S3Input as { S3Uri?: string; LocalPath?: string } | undefined;
      if (!s3Input?.S3Uri || !s3Input.LocalPath) continue;
      const destination = mapContainerPath(root, s3Input.LocalPath);
      await mkdir(destination, { recursive: true });
      const keys = await downloadPrefix(context, s3Input.S3Uri, destination);
      recordInput(job, String(input.InputName ?? s3Input.LocalPath), keys);
    }
    const outputs = (
      (request.ProcessingOutputConfig as { Outputs?: Input[] } | undefined)?.Outputs ?? []
    ).flatMap((output) => {
      const s3Output = output.S3Output as { S3Uri?: string; LocalPath?: string } | undefined;
      return s3Output?.S3Uri && s3Output.LocalPath
        ? [{ uri: s3Output.S3Uri, local: mapContainerPath(root, s3Output.LocalPath) }]
        : [];
    });
    for (const output of outputs) await mkdir(output.local, { recursive: true });
    await writeFile(path.join(optMl, 'config', 'processingjobconfig.json'), JSON.stringify(request));
    await writeFile(
      path.join(optMl, 'config', 'resourceconfig.json'),
      JSON.stringify({ current_host: 'algo-1', hosts: ['algo-1'] }),
    );
    job.startTime = new Date();
    job.lastModifiedTime = job.startTime;
    const args = [
      ...((app.ContainerEntrypoint as string[] | undefined) ?? []),
      ...((app.ContainerArguments as string[] | undefined) ?? []),
    ];
    const result = await runContainer(job, context, {
      image,
      manifest,
      args: args.map((arg) => mapContainerPath(root, arg)),
      env: {
        ...containerEnv(context, root),
        PROCESSING_JOB_NAME: job.name,
        PROCESSING_JOB_ARN: job.arn,
        ...stringMap(request.Environment),
      },
    });
    job.exitMessage = (await readOptional(path.join(optMl, 'output', 'message')))?.slice(0, 1024);
    if (job.stopRequested) {
      finish('Stopped');
    } else if (result.timedOut) {
      finish('Stopped', 'Job stopped because it exceeded the MaxRuntimeInSeconds');
    } else if (result.code !== 0) {
      const failure = await readOptional(path.join(optMl, 'output', 'failure'));
      finish('Failed', `AlgorithmError: ${failure ?? 'See job logs for more information'}`);
    } else {
      for (const output of outputs) {
        const { bucket, key } = requestS3Location(output.uri);
        for (const file of await listLocalFiles(output.local)) {
          await context.s3.upload(
            bucket,
            `${key.replace(/\/+$/, '')}${key ? '/' : ''}${file}`,
            path.join(output.local, file),
          );
        }
      }
      finish('Completed');
    }
  } catch (error) {
    job.child = undefined;
    await logFailure(job.logFile, error);
    finish('Failed', `ClientError: ${(error as Error).message}`);
  }
}
