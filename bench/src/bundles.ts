/**
 * Bundle size: every stage function bundled as `serverless package` bundles it (serverless-esbuild with the
 * settings of esbuild.yml), next to its baseline bundled with the very same settings, both zipped the same way.
 * The packaged `.packaged/<fn>.zip` (`pnpm package`) is read too, to show the in-run bundle is the deployed one.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { deflateRawSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import yaml from 'js-yaml';
import type { FunctionSpec } from './baselines.js';
import { workspace } from './paths.js';

/** Options of serverless-esbuild that are its own, not esbuild's: it strips them before calling esbuild. */
const PLUGIN_OPTIONS = [
  'concurrency',
  'zipConcurrency',
  'exclude',
  'nativeZip',
  'packager',
  'packagePath',
  'watch',
  'keepOutputDirectory',
  'packagerOptions',
  'installExtraArgs',
  'outputFileExtension',
  'outputBuildFolder',
  'outputWorkFolder',
  'nodeExternals',
  'skipBuild',
  'skipRebuild',
  'skipBuildExcludeFns',
  'stripEntryResolveExtensions',
  'disposeContext',
];

/** The esbuild options serverless-esbuild derives from esbuild.yml (its defaults, then the file's values). */
export function esbuildOptionsFromYaml(text: string): esbuild.BuildOptions {
  const settings = {
    bundle: true,
    target: 'node18',
    external: [] as string[],
    exclude: ['aws-sdk'] as string[],
    ...(yaml.load(text) as Record<string, unknown>),
  };
  const exclude = (settings.exclude as string[] | undefined) ?? [];
  const options: Record<string, unknown> = { ...settings };
  for (const key of PLUGIN_OPTIONS) delete options[key];
  options.external = [...((settings.external as string[]) ?? []), ...(exclude.includes('*') ? [] : exclude)];
  return options as esbuild.BuildOptions;
}

export async function esbuildSettings(): Promise<esbuild.BuildOptions> {
  return esbuildOptionsFromYaml(await readFile(path.join(workspace, 'esbuild.yml'), 'utf8'));
}

/** Bytes of a one-file zip archive of `data`, deflated at zlib's default level (as archiver does). */
export function zipSize(name: string, data: Buffer): number {
  const deflated = deflateRawSync(data);
  const nameBytes = Buffer.byteLength(name);
  const localHeader = 30 + nameBytes;
  const centralHeader = 46 + nameBytes;
  const endOfCentralDirectory = 22;
  return localHeader + deflated.length + centralHeader + endOfCentralDirectory;
}

export interface BundleFigures {
  bytes: number;
  zipBytes: number;
  file: string;
  /** Bytes in the output per npm package (or workspace folder), largest first. */
  composition: { from: string; bytes: number }[];
}

export interface FunctionBundles {
  function: string;
  service: string;
  ours: BundleFigures;
  baseline: BundleFigures;
  /** `.packaged/<fn>.zip` from `pnpm package`, when present. */
  packagedZipBytes?: number;
  packagedBytes?: number;
}

function packageOf(input: string): string {
  const match = /.*node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  if (match?.[1]) return match[1];
  const relative = input.replace(/^(\.\.\/)+/, '');
  return relative.startsWith('shared/') ? '@sagemaker-pipeline/shared' : 'the stage (src/)';
}

function composition(metafile: esbuild.Metafile): { from: string; bytes: number }[] {
  const output = Object.values(metafile.outputs)[0];
  const byPackage = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    const key = packageOf(input);
    byPackage.set(key, (byPackage.get(key) ?? 0) + bytesInOutput);
  }
  return [...byPackage.entries()].map(([from, bytes]) => ({ from, bytes })).sort((a, b) => b.bytes - a.bytes);
}

async function figures(file: string, metafile: esbuild.Metafile): Promise<BundleFigures> {
  const data = await readFile(file);
  return {
    bytes: data.length,
    zipBytes: zipSize(`src/${path.basename(file)}`, data),
    file,
    composition: composition(metafile),
  };
}

/** Reads the size of `src/handler.cjs` inside a zip written by `serverless package`, from its central directory. */
async function packagedSizes(zipFile: string): Promise<{ zipBytes: number; bytes?: number }> {
  const data = await readFile(zipFile);
  const end = data.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  let bytes = 0;
  if (end >= 0) {
    let offset = data.readUInt32LE(end + 16);
    const entries = data.readUInt16LE(end + 10);
    for (let index = 0; index < entries; index += 1) {
      bytes += data.readUInt32LE(offset + 24);
      offset +=
        46 + data.readUInt16LE(offset + 28) + data.readUInt16LE(offset + 30) + data.readUInt16LE(offset + 32);
    }
  }
  return { zipBytes: (await stat(zipFile)).size, ...(end >= 0 ? { bytes } : {}) };
}

export interface StageFunction {
  name: string;
  service: string;
  serviceDir: string;
  handler: string;
}

/** Bundles one function and its baseline into `outDir` with the settings of esbuild.yml. */
export async function bundleFunction(
  fn: StageFunction,
  spec: FunctionSpec,
  settings: esbuild.BuildOptions,
  outDir: string,
): Promise<FunctionBundles> {
  const dot = fn.handler.lastIndexOf('.');
  const entry = path.join(fn.serviceDir, `${fn.handler.slice(0, dot)}.ts`);
  const extension = '.cjs';
  await mkdir(path.join(outDir, fn.name), { recursive: true });
  const oursFile = path.join(outDir, fn.name, `handler${extension}`);
  const baselineFile = path.join(outDir, fn.name, `baseline${extension}`);
  const ours = await esbuild.build({
    ...settings,
    entryPoints: [entry],
    outfile: oursFile,
    absWorkingDir: fn.serviceDir,
    metafile: true,
    logLevel: 'silent',
  });
  const baseline = await esbuild.build({
    ...settings,
    stdin: {
      contents: spec.baseline,
      // the shared library's folder resolves both SDK clients, the same versions the stages bundle
      resolveDir: path.join(workspace, 'shared'),
      sourcefile: `${fn.name}-baseline.ts`,
      loader: 'ts',
    },
    outfile: baselineFile,
    absWorkingDir: path.join(workspace, 'shared'),
    metafile: true,
    logLevel: 'silent',
  });
  const zip = path.join(fn.serviceDir, '.packaged', `${fn.name}.zip`);
  const packaged = existsSync(zip) ? await packagedSizes(zip) : undefined;
  return {
    function: fn.name,
    service: path.basename(fn.serviceDir),
    ours: await figures(oursFile, ours.metafile),
    baseline: await figures(baselineFile, baseline.metafile),
    ...(packaged ? { packagedZipBytes: packaged.zipBytes } : {}),
    ...(packaged?.bytes !== undefined ? { packagedBytes: packaged.bytes } : {}),
  };
}
