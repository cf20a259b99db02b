#!/usr/bin/env node
/**
 * `pnpm bench`: bundle size, cold init, life cycle, burst cost, endpoint throughput and stack start, each
 * measured side by side with its baseline in this run, and the API calls of the scheduled sweeps. Prints the
 * tables, writes bench/results.json and bench/RESULTS.md, and exits 1 when a budget is missed.
 *
 *   node bench/dist/run.js [--only bundles,cold,lifecycle,burst,throughput,stack,sweeps] [--keep]
 *
 * With --only, the results go to bench/results.local.json only (not committed), RESULTS.md is left alone.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { BUDGETS, type BudgetCheck, checkBudgets, type Figures } from './budgets.js';
import { bundleFunction, esbuildSettings, type FunctionBundles } from './bundles.js';
import { measureBursts } from './burst.js';
import { type ColdInitFigures, measureColdInit } from './cold-init.js';
import { benchFunctions } from './functions.js';
import { type LifecycleRun, lifecycleOnce, referenceData } from './lifecycle.js';
import { machine } from './machine.js';
import { benchDir } from './paths.js';
import { compositionDelta, type RunInfo, renderReport } from './report.js';
import { measureStackStart } from './stack-start.js';
import { median } from './stats.js';
import { measureSweeps } from './sweeps.js';
import { measureThroughput, pairedRatio, summary } from './throughput.js';

const SECTIONS = ['bundles', 'cold', 'lifecycle', 'burst', 'throughput', 'stack', 'sweeps'] as const;
type Section = (typeof SECTIONS)[number];

const RUNS = { coldInit: 11, lifecycle: 3, stackStart: 5, throughput: 7 };
const BURSTS = [1, 100, 1_000];
const SWEEP_SIZES = [1, 100, 1_000];
const THROUGHPUT = [
  { concurrency: 1, requests: 1_000 },
  { concurrency: 16, requests: 3_000 },
];

const log = (message: string) => console.log(`[bench] ${message}`);

/** Measured causes of the budgets missed, from the figures themselves. */
function causes(figures: Figures, checks: BudgetCheck[]): string[] {
  const notes: string[] = [];
  const missed = (prefix: string) => checks.some((check) => !check.pass && check.figure.startsWith(prefix));
  for (const bundle of figures.bundles ?? []) {
    if (!missed(`bundle ${bundle.function} `)) continue;
    const extra = bundle.ours.bytes - bundle.baseline.bytes;
    const top = compositionDelta(bundle).slice(0, 4);
    notes.push(
      `bundle ${bundle.function}: ${(extra / 1024).toFixed(0)} KiB over its baseline (${(
        ((BUDGETS.bundleRatio - 1) * bundle.baseline.bytes) / 1024
      ).toFixed(0)} KiB allowed): ${top
        .map((entry) => `${entry.from} ${((entry.bytes / extra) * 100).toFixed(0)}%`)
        .join(', ')}.`,
    );
  }
  for (const cold of figures.coldInit ?? []) {
    if (!missed(`cold init ${cold.function}`)) continue;
    const delta = (key: 'loadMs' | 'invokeMs' | 'bootMs') =>
      median(cold.ours.map((run) => run[key])) - median(cold.baseline.map((run) => run[key]));
    notes.push(
      `cold init ${cold.function}: ours takes ${delta('loadMs').toFixed(1)} ms more to load (parse the bundle, ` +
        `module-scope work) and ${delta('invokeMs').toFixed(1)} ms more for the invocation; Node's boot differs by ` +
        `${delta('bootMs').toFixed(1)} ms.`,
    );
  }
  for (const load of figures.throughput ?? []) {
    if (!missed(`endpoint latency the stack adds, ${load.payload}, concurrency ${load.concurrency},`))
      continue;
    const direct = summary(load.runs.direct);
    const stack = summary(load.runs.stack);
    const reference = summary(load.runs.reference);
    notes.push(
      `endpoint throughput, ${load.payload}, concurrency ${load.concurrency}: the stack adds ` +
        `${(stack.p50Ms - direct.p50Ms).toFixed(2)} ms at p50 to the container's ${direct.p50Ms.toFixed(2)} ms; ` +
        `a minimal reverse proxy in the same process adds ${(reference.p50Ms - direct.p50Ms).toFixed(2)} ms ` +
        `(ratio ${pairedRatio(load, 'reference').toFixed(2)}): that much is the extra loopback hop itself.`,
    );
  }
  if (figures.lifecycle && missed('life cycle')) {
    const med = (key: keyof LifecycleRun) => median(figures.lifecycle?.map((run) => Number(run[key])) ?? []);
    notes.push(
      `life cycle: push to first prediction ${(med('pushToPredictionMs') / 1000).toFixed(1)} s, of which the ` +
        `containers ${(med('containerMs') / 1000).toFixed(1)} s; the serverless deploy before it took ${(med('deployMs') / 1000).toFixed(1)} s; the retraining waits for ` +
        'the batching window (6 s).',
    );
  }
  return notes;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(`usage: pnpm bench [--only ${SECTIONS.join(',')}] [--keep]`);
    return 0;
  }
  const only = values.only ? (values.only.split(',') as Section[]) : [...SECTIONS];
  const unknown = only.filter((section) => !SECTIONS.includes(section));
  if (unknown.length) throw new Error(`unknown section(s) ${unknown.join(', ')}: use ${SECTIONS.join(', ')}`);
  const full = only.length === SECTIONS.length;
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  process.env.AWS_EC2_METADATA_DISABLED ??= 'true';

  const started = performance.now();
  const date = new Date().toISOString();
  const loadAtStart = os.loadavg()[0] ?? Number.NaN;
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'sagemaker-pipeline-bench-'));
  const figures: Figures = {};
  try {
    // The sample events are written for stage dev (mlpipe-dev): the functions are resolved for it.
    const functions = await benchFunctions('dev', path.join(tmp, 'definitions'));
    const bundles: FunctionBundles[] = [];
    if (only.includes('bundles') || only.includes('cold')) {
      log(`bundling ${functions.length} functions and their baselines with esbuild.yml's settings`);
      const settings = await esbuildSettings();
      for (const { definition, spec } of functions) {
        bundles.push(await bundleFunction(definition, spec, settings, path.join(tmp, 'bundles')));
      }
      if (only.includes('bundles')) figures.bundles = bundles;
    }
    if (only.includes('cold')) {
      log(`cold init: ${RUNS.coldInit} fresh processes per bundle, alternating with the baseline`);
      const cold: ColdInitFigures[] = [];
      for (const [index, { definition, spec }] of functions.entries()) {
        const bundle = bundles[index] as FunctionBundles;
        cold.push(
          await measureColdInit(
            {
              spec,
              definition,
              serviceDir: definition.serviceDir,
              oursBundle: bundle.ours.file,
              baselineBundle: bundle.baseline.file,
            },
            RUNS.coldInit,
            'dev',
            path.join(tmp, 'cold', spec.name),
          ),
        );
      }
      figures.coldInit = cold;
    }
    if (only.includes('stack')) {
      log(`stack start: ${RUNS.stackStart} starts in process, of the CLI and of a bare server`);
      figures.stackStart = await measureStackStart(path.join(tmp, 'stack-start'), RUNS.stackStart);
    }
    if (only.includes('lifecycle') || only.includes('throughput')) {
      const runs = only.includes('lifecycle') ? RUNS.lifecycle : 0;
      log(
        runs
          ? `life cycle: ${runs} runs of pnpm start (serverless deploy of every service, then the scenario)`
          : 'life cycle: one run, for its endpoint',
      );
      const lifecycle: LifecycleRun[] = [];
      // the throughput is measured on the endpoint of the first run that served predictions (an extra, unmeasured
      // run if none did): a failed run is reported by the life-cycle budget, not hidden by a retry
      for (let index = 0; index < runs || (only.includes('throughput') && !figures.throughput); index += 1) {
        if (index >= runs + 1) {
          throw new Error(
            `no endpoint to measure: the life cycle failed (${lifecycle.at(-1)?.error ?? '?'})`,
          );
        }
        const { run, result } = await lifecycleOnce(path.join(tmp, 'lifecycle', String(index)));
        if (index < runs) lifecycle.push(run);
        else if (!result.ok) log(`the extra life-cycle run for the endpoint failed too: ${run.error ?? '?'}`);
        const { stack } = result;
        if (!stack) continue;
        try {
          if (only.includes('throughput') && !figures.throughput && result.ok) {
            log(
              'endpoint throughput: direct to serve, through the stack (built-in and undici clients), SDK through the stack, minimal proxy',
            );
            const rows = referenceData().holdout.rows.map((row) => row.join(','));
            figures.throughput = await measureThroughput(
              stack,
              result.endpointName,
              [
                { name: '1 row', body: rows[0] ?? '' },
                { name: `${rows.length} rows`, body: rows.join('\n') },
              ],
              THROUGHPUT,
              RUNS.throughput,
            );
          }
        } finally {
          await stack.stop();
        }
      }
      if (only.includes('lifecycle')) figures.lifecycle = lifecycle;
    }
    if (only.includes('burst')) {
      log(`burst cost: ${BURSTS.join(', ')} objects uploaded at once`);
      figures.burst = await measureBursts(path.join(tmp, 'burst'), BURSTS, 16);
    }
    if (only.includes('sweeps')) {
      log(`sweeps: API calls per sweep with nothing missing, at ${SWEEP_SIZES.join(', ')} pipeline runs`);
      figures.sweeps = await measureSweeps(path.join(tmp, 'sweeps'), SWEEP_SIZES);
    }
  } finally {
    if (values.keep) log(`kept ${tmp}`);
    else await rm(tmp, { recursive: true, force: true });
  }

  const checks = checkBudgets(figures);
  const info: RunInfo = {
    date,
    machine: machine(),
    durationS: (performance.now() - started) / 1000,
    loadAverage: { start: loadAtStart, end: os.loadavg()[0] ?? Number.NaN },
    runs: RUNS,
  };
  const report = renderReport(info, figures, checks, causes(figures, checks));
  console.log(`\n${report}`);
  // bundle paths are in this run's temporary folder: not worth keeping
  const json = `${JSON.stringify({ ...info, budgets: checks, figures }, (key, value) => (key === 'file' ? undefined : value), 2)}\n`;
  if (full) {
    await writeFile(path.join(benchDir, 'results.json'), json);
    await writeFile(path.join(benchDir, 'RESULTS.md'), report);
    log('wrote bench/RESULTS.md and bench/results.json');
  } else {
    await writeFile(path.join(benchDir, 'results.local.json'), json);
    log('partial run (--only): wrote bench/results.local.json only');
  }
  const missed = checks.filter((check) => !check.pass);
  log(
    missed.length
      ? `${missed.length} of ${checks.length} budgets missed: ${missed.map((check) => check.figure).join('; ')}`
      : `all ${checks.length} budgets hold`,
  );
  return missed.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`bench failed: ${error instanceof Error ? error.stack : String(error)}`);
    process.exit(2);
  },
);
