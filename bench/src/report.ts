/**
 * The report of a run: Markdown tables (printed, and written to RESULTS.md) and the JSON of every measured
 * run (results.json). Where a budget is missed, the report shows what the figure is made of, so the cause
 * is in the file, not only in someone's notes.
 */
import type { BudgetCheck, Figures } from './budgets.js';
import { BUDGETS } from './budgets.js';
import type { FunctionBundles } from './bundles.js';
import type { Machine } from './machine.js';
import { median, ratio, ratioOfMedians } from './stats.js';
import { callsTable, PLACEMENTS, SWEEP_STAGES } from './sweep-plan.js';
import { addedLatencyMs, pairedRatio, roundRatios, summary } from './throughput.js';

export interface RunInfo {
  date: string;
  machine: Machine;
  durationS: number;
  /** 1-minute load average when the run started and ended: other processes share these cores. */
  loadAverage: { start: number; end: number };
  runs: { coldInit: number; lifecycle: number; stackStart: number; throughput: number };
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const ms = (value: number, digits = 0) => (Number.isFinite(value) ? `${value.toFixed(digits)} ms` : 'n/a');
const x = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : 'n/a');
const pass = (ok: boolean) => (ok ? 'pass' : '**MISS**');

/** A Markdown table with its columns aligned (as Biome formats Markdown), readable in a terminal too. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((cell, column) =>
    Math.max(3, cell.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: string[]) =>
    `| ${widths.map((width, column) => (cells[column] ?? '').padEnd(width)).join(' | ')} |`;
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

/** A table of one row, each figure written next to its header: `[header, figure]`. */
export function figureRow(figures: [string, string][]): string {
  return table(
    figures.map(([header]) => header),
    [figures.map(([, figure]) => figure)],
  );
}

/** What ours has beyond its baseline, per package, largest first. */
export function compositionDelta(bundle: FunctionBundles): { from: string; bytes: number }[] {
  const baseline = new Map(bundle.baseline.composition.map((entry) => [entry.from, entry.bytes]));
  return bundle.ours.composition
    .map((entry) => ({ from: entry.from, bytes: entry.bytes - (baseline.get(entry.from) ?? 0) }))
    .filter((entry) => entry.bytes > 512)
    .sort((a, b) => b.bytes - a.bytes);
}

function budgetTable(checks: BudgetCheck[]): string {
  return table(
    ['figure', 'measured', 'budget', ''],
    checks.map((check) => [
      check.figure,
      check.figure.includes('(ms)') || check.figure.includes('readyMs')
        ? ms(check.value)
        : check.budget.includes('of') || check.figure.includes('API calls')
          ? String(check.value)
          : Number.isFinite(check.value)
            ? check.value.toFixed(2)
            : 'n/a',
      check.budget,
      pass(check.pass),
    ]),
  );
}

function bundleSection(bundles: FunctionBundles[]): string {
  const rows = bundles.map((bundle) => [
    bundle.function,
    kb(bundle.ours.bytes),
    kb(bundle.baseline.bytes),
    x(ratio(bundle.ours.bytes, bundle.baseline.bytes)),
    kb(bundle.ours.zipBytes),
    kb(bundle.baseline.zipBytes),
    x(ratio(bundle.ours.zipBytes, bundle.baseline.zipBytes)),
    bundle.packagedBytes === bundle.ours.bytes
      ? `same bytes (${kb(bundle.packagedZipBytes ?? 0)} zip)`
      : bundle.packagedBytes === undefined
        ? 'not packaged'
        : `differs: ${kb(bundle.packagedBytes)}`,
  ]);
  const deltas = bundles.map((bundle) => {
    const top = compositionDelta(bundle).slice(0, 6);
    return [bundle.function, top.map((entry) => `${entry.from} +${kb(entry.bytes)}`).join(', ')];
  });
  return [
    `## Bundle size (budget: ours / baseline ≤ ${BUDGETS.bundleRatio}, unzipped and zipped)`,
    '',
    'Every function bundled with the settings of esbuild.yml (as `serverless package` does), next to a baseline',
    'bundled with the same settings that only constructs the same SDK clients and sends the same first command.',
    'Zip: one deflated entry, the same for both. Last column: the `.packaged/<fn>.zip` of `pnpm package`.',
    '',
    table(
      ['function', 'ours', 'baseline', 'ratio', 'ours zip', 'baseline zip', 'zip ratio', 'packaged'],
      rows,
    ),
    '',
    'What ours adds to its baseline (bytes in the bundle, per package):',
    '',
    table(['function', 'largest additions'], deltas),
  ].join('\n');
}

function coldSection(figures: NonNullable<Figures['coldInit']>, runs: number): string {
  const rows = figures.map((cold) => {
    const wall = (list: typeof cold.ours) => median(list.map((run) => run.wallMs));
    const inProcess = (list: typeof cold.ours) => median(list.map((run) => run.loadMs + run.invokeMs));
    const part = (list: typeof cold.ours, key: 'loadMs' | 'invokeMs') => median(list.map((run) => run[key]));
    return [
      cold.function,
      cold.call,
      ms(wall(cold.ours)),
      ms(wall(cold.baseline)),
      x(
        ratioOfMedians(
          cold.ours.map((run) => run.wallMs),
          cold.baseline.map((run) => run.wallMs),
        ),
      ),
      `${ms(part(cold.ours, 'loadMs'), 1)} + ${ms(part(cold.ours, 'invokeMs'), 1)}`,
      `${ms(part(cold.baseline, 'loadMs'), 1)} + ${ms(part(cold.baseline, 'invokeMs'), 1)}`,
      x(ratio(inProcess(cold.ours), inProcess(cold.baseline))),
      cold.ours[0]?.outcome ?? '',
    ];
  });
  return [
    `## Cold init (budget: ours / baseline ≤ ${BUDGETS.coldInitRatio}), median of ${runs} runs each`,
    '',
    'A fresh Node process requires the bundle (as Lambda loads a CommonJS handler) and runs one invocation with',
    "the function's sample event from `events/`, whose first AWS call goes to the offline stack; the baseline",
    'bundle gets the same event, environment and stack. Runs alternate ours / baseline. "cold start" is spawn to',
    'result (the budgeted figure: Node\'s own start is in both); "load + invoke" is inside the process. The last',
    'column is what ours answered: the samples name jobs and files a fresh stack does not have, so some stages',
    'answer `failed` after their AWS call, as they would in AWS.',
    '',
    table(
      [
        'function',
        'first AWS call',
        'cold start, ours',
        'baseline',
        'ratio',
        'ours load + invoke',
        'baseline load + invoke',
        'ratio',
        'result (ours)',
      ],
      rows,
    ),
  ].join('\n');
}

function lifecycleSection(runs: NonNullable<Figures['lifecycle']>): string {
  const med = (
    key:
      | 'wallMs'
      | 'deployMs'
      | 'scenarioMs'
      | 'pushToPredictionMs'
      | 'trainingMs'
      | 'evaluationMs'
      | 'serveStartMs'
      | 'containerMs',
  ) => median(runs.map((run) => run[key]));
  return [
    `## Life cycle (budgets: the deploy < ${BUDGETS.deployMs / 1000} s, the scenario after it < ${BUDGETS.lifecycleMs / 1000} s), median of ${runs.length} runs`,
    '',
    '`pnpm start`: an empty stack, every service deployed with `serverless deploy --stage local` through',
    'serverless-compose.yml (infra, then the five stages at once), then the scenario (`runLifecycle`) on the',
    'deployed functions with the reference model. Container time is what SageMaker would bill: the training job,',
    "its evaluation job (start to end, from the jobs' timestamps) and the endpoint's start (Creating to InService,",
    "from its state-change events). The scenario also retrains on new data, which waits for retrain-model's",
    "batching window (60 s, 6 s on the stack). The deploy is twelve framework processes (a deploy and compose's",
    '`serverless info` per service), each spending about 2 s of CPU loading osls and its plugins.',
    '',
    figureRow([
      ['serverless deploy', ms(med('deployMs'))],
      ['push → first prediction', ms(med('pushToPredictionMs'))],
      ['training', ms(med('trainingMs'))],
      ['evaluation', ms(med('evaluationMs'))],
      ['serve start', ms(med('serveStartMs'))],
      ['container time', ms(med('containerMs'))],
      ['overhead ratio', x(ratio(med('pushToPredictionMs'), med('containerMs')))],
      ['scenario', ms(med('scenarioMs'))],
      ['whole pnpm start', ms(med('wallMs'))],
    ]),
    '',
    `Runs (whole): ${runs.map((run) => `${(run.wallMs / 1000).toFixed(1)} s${run.ok ? '' : ` (failed: ${run.error ?? ''})`}`).join(', ')}.`,
  ].join('\n');
}

function burstSection(bursts: NonNullable<Figures['burst']>): string {
  return [
    '## Burst cost (budget: exactly 1 training job per batch window)',
    '',
    "Objects PUT at once through the stack's S3 (16 at a time) under `training-data/`; infra's notification, queue",
    'and batching window (60 s, scaled by the stack to 6 s) and the real retrain-model handler. The naive design',
    'starts one training job per object.',
    '',
    table(
      [
        'objects',
        'naive design: jobs',
        'ours: jobs',
        'batch windows',
        'deliveries',
        'upload',
        'first PUT → job started',
      ],
      bursts.map((burst) => [
        String(burst.objects),
        String(burst.naiveJobs),
        String(burst.jobsStarted),
        String(burst.windows),
        burst.deliveries.map((delivery) => `${delivery.status} (${delivery.objects})`).join(', '),
        ms(burst.uploadMs),
        ms(burst.toJobMs),
      ]),
    ),
  ].join('\n');
}

function throughputSection(cases: NonNullable<Figures['throughput']>, repetitions: number): string {
  const cell = (figures: ReturnType<typeof summary>) =>
    `${figures.rps.toFixed(0)} req/s, p50 ${figures.p50Ms.toFixed(2)}, p99 ${figures.p99Ms.toFixed(2)} ms`;
  const rps = (load: (typeof cases)[number], kind: 'stack' | 'undici' | 'sdk' | 'reference') =>
    x(pairedRatio(load, kind));
  const added = (load: (typeof cases)[number], kind: 'stack' | 'undici') =>
    `${addedLatencyMs(load, kind, 'p50Ms').toFixed(2)} / ${addedLatencyMs(load, kind, 'p99Ms').toFixed(2)} ms`;
  return [
    `## Endpoint latency and throughput (budget: the stack adds ≤ ${BUDGETS.addedLatencyP50Ms} ms at p50, ≤ ${BUDGETS.addedLatencyP99Ms} ms at p99), median of ${repetitions} rounds`,
    '',
    "InvokeEndpoint through the stack's edge (SigV4-signed HTTP, as an SDK sends it) against the same request,",
    "signed the same way, sent straight to the endpoint's `serve` process (its port from the stack's endpoint",
    'state), from a load generator in its own process over keep-alive connections. Payloads: one CSV row of the',
    'held-out penguins, and the 30 held-out rows `pnpm start` asks about in one request. For information: the SDK',
    "client (SageMakerRuntimeClient) through the stack, and a minimal Node reverse proxy in the stack's process",
    '(bench/src/reference-proxy.ts): the cost of one more loopback hop, which no proxy avoids. Each round measures',
    "direct and stack back to back (alternating which goes first); a ratio is the median of the rounds' ratios,",
    'the other columns medians of the rounds. Stack / direct per round:',
    '',
    ...cases.map(
      (load) =>
        `- ${load.payload}, concurrency ${load.concurrency}: ${roundRatios(load, 'stack')
          .map((value) => value.toFixed(2))
          .join(', ')}`,
    ),
    '',
    table(
      [
        'payload',
        'concurrency',
        'requests',
        'direct to serve',
        'through the stack',
        'ratio',
        'SDK through the stack',
        'ratio',
        'minimal proxy',
        'ratio',
      ],
      cases.map((load) => [
        load.payload,
        String(load.concurrency),
        String(load.requests),
        cell(summary(load.runs.direct)),
        cell(summary(load.runs.stack)),
        rps(load, 'stack'),
        cell(summary(load.runs.sdk)),
        rps(load, 'sdk'),
        cell(summary(load.runs.reference)),
        rps(load, 'reference'),
      ]),
    ),
    '',
    "The stack's client to the container, measured in the same rounds: the built-in HTTP/1.1 client",
    "(local/src/sagemaker/upstream.ts, the stack's default) and undici's Pool (upstream-undici.ts,",
    '`invokeClient: "undici"`). Latency each adds to the direct path (median of the rounds\' differences), and',
    'throughput:',
    '',
    table(
      ['payload', 'concurrency', 'built-in: added p50 / p99', 'req/s', 'undici: added p50 / p99', 'req/s'],
      cases.map((load) => [
        load.payload,
        String(load.concurrency),
        added(load, 'stack'),
        `${summary(load.runs.stack).rps.toFixed(0)} (${rps(load, 'stack')})`,
        added(load, 'undici'),
        `${summary(load.runs.undici).rps.toFixed(0)} (${rps(load, 'undici')})`,
      ]),
    ),
  ].join('\n');
}

function stackSection(runs: NonNullable<Figures['stackStart']>): string {
  const med = (key: 'inProcessReadyMs' | 'cliWallMs' | 'cliReadyMs' | 'bareWallMs') =>
    median(runs.map((run) => run[key]));
  return [
    `## Stack start (budget: ready < ${BUDGETS.stackReadyMs / 1000} s), median of ${runs.length} runs`,
    '',
    'Every service of `packages/`, as `pnpm stack` starts it: each deployed from its `serverless package` (the',
    'packages made by a first, unmeasured start and then cached), the six stacks created and updated by the',
    "stack's CloudFormation. The CLI figure is a fresh `node local/dist/cli.js` from spawn to its `ready` line; the",
    'baseline is a fresh Node process that only starts an HTTP server on 127.0.0.1.',
    '',
    figureRow([
      ['startStack().readyMs', ms(med('inProcessReadyMs'))],
      ['CLI: spawn → ready line', ms(med('cliWallMs'))],
      ['CLI prints "ready in"', ms(med('cliReadyMs'))],
      ['bare Node HTTP server', ms(med('bareWallMs'))],
      ['CLI / bare', x(ratio(med('cliWallMs'), med('bareWallMs')))],
    ]),
  ].join('\n');
}

function sweepSection(runs: NonNullable<Figures['sweeps']>): string {
  const sizes = [...new Set(runs.map((run) => run.size))].sort((a, b) => a - b);
  const calls = callsTable(runs);
  const rows = SWEEP_STAGES.flatMap((stage) =>
    PLACEMENTS.map((placement) => [
      stage,
      placement,
      ...sizes.map((size) => String(calls[stage]?.[placement]?.[size] ?? 'n/a')),
      [
        ...new Set(
          runs.filter((run) => run.stage === stage && run.placement === placement).map((run) => run.outcome),
        ),
      ].join('; '),
    ]),
  );
  const slowest = Math.max(...runs.map((run) => run.ms));
  return [
    '## Sweeps (budget: with history, no more API calls at the largest size than at the smallest; nothing missing)',
    '',
    'API calls of one scheduled sweep of each stage (its business function, with real SDK clients on the stack)',
    'when nothing is missing: N Completed training jobs, each with its evaluation and decision.json, N Approved',
    'versions, the endpoint InService on the newest, N objects of training data older than the newest job.',
    'history: all runs but the newest ended before the 24 h lookback window; window: all N within it (a burst).',
    'deploy-model reconciles (ListModelPackages MaxResults 1, DescribeModelPackage, DescribeEndpoint); retrain-model',
    'lists the 100 newest jobs, then the whole training-data prefix (S3 has no time filter: 1 call per 1,000 objects).',
    `Slowest sweep: ${ms(slowest)}.`,
    '',
    table(['stage', 'placement', ...sizes.map((size) => `N = ${size}`), 'answer'], rows),
  ].join('\n');
}

export function renderReport(
  info: RunInfo,
  figures: Figures,
  checks: BudgetCheck[],
  notes: string[],
): string {
  const missed = checks.filter((check) => !check.pass);
  const m = info.machine;
  return [
    '# `pnpm bench` results',
    '',
    `Run on ${info.date} in ${info.durationS.toFixed(0)} s. Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB,`,
    `Node ${m.node} (${m.platform}); 1-minute load average ${info.loadAverage.start.toFixed(1)} at the start,`,
    `${info.loadAverage.end.toFixed(1)} at the end (other processes on the same cores slow the absolute timings;`,
    'the ratios, measured side by side and alternated, less so). Timings are medians of several runs.',
    'Regenerate with `pnpm bench` (writes this file and results.json).',
    '',
    missed.length
      ? `**${missed.length} of ${checks.length} budgets missed**; \`pnpm bench\` exits 1.`
      : `All ${checks.length} budgets hold; \`pnpm bench\` exits 0.`,
    '',
    budgetTable(checks),
    ...(notes.length ? ['', '### Why budgets are missed', '', ...notes.map((note) => `- ${note}`)] : []),
    ...(figures.bundles ? ['', bundleSection(figures.bundles)] : []),
    ...(figures.coldInit ? ['', coldSection(figures.coldInit, info.runs.coldInit)] : []),
    ...(figures.lifecycle ? ['', lifecycleSection(figures.lifecycle)] : []),
    ...(figures.burst ? ['', burstSection(figures.burst)] : []),
    ...(figures.throughput ? ['', throughputSection(figures.throughput, info.runs.throughput)] : []),
    ...(figures.stackStart ? ['', stackSection(figures.stackStart)] : []),
    ...(figures.sweeps ? ['', sweepSection(figures.sweeps)] : []),
    '',
  ].join('\n');
}
