/**
 * The run report of `pnpm start`: one self-contained HTML page (no script, no network) with the timeline of
 * every function invocation, job and endpoint change as an SVG chart, and the metrics and gate decision of
 * every model version.
 */

export type TimelineKind = 'invocation' | 'training' | 'processing' | 'endpoint';

export interface TimelineItem {
  /** Row of the chart: a function name, "training jobs", "evaluation jobs", "endpoint". */
  lane: string;
  label: string;
  kind: TimelineKind;
  /** Epoch milliseconds. */
  start: number;
  end: number;
  status: string;
}

export interface VersionRow {
  version: number | string;
  trainingJob: string;
  approval: string;
  decision: string;
  metrics: Record<string, number>;
  live: boolean;
}

export interface PredictionRow {
  features: string;
  expected: string;
  predicted: string;
}

/** A message the pipeline published on its alert topic during the run. */
export interface AlertRow {
  /** ISO time it was published. */
  time: string;
  subject: string;
  message: string;
}

export interface RunReport {
  title: string;
  startedAt: number;
  finishedAt: number;
  items: TimelineItem[];
  versions: VersionRow[];
  predictions: PredictionRow[];
  /** What the pipeline told a human (its SNS alert topic). */
  alerts: AlertRow[];
  notes: string[];
}

const escapeHtml = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

const COLORS: Record<TimelineKind, string> = {
  invocation: '#4c78a8',
  training: '#f58518',
  processing: '#54a24b',
  endpoint: '#b279a2',
};
const FAILED = '#e45756';

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** The timeline as an SVG: one lane per function or resource kind, one bar per invocation or job. */
export function timelineSvg(report: RunReport): string {
  const lanes = [...new Set(report.items.map((item) => item.lane))];
  const span = Math.max(1, report.finishedAt - report.startedAt);
  const left = 170;
  const width = 900;
  const laneHeight = 26;
  const top = 24;
  const height = top + lanes.length * laneHeight + 30;
  const x = (t: number) => left + ((t - report.startedAt) / span) * (width - left - 30);
  const ticks = Array.from({ length: 6 }, (_, i) => report.startedAt + (span * i) / 5);
  const parts: string[] = [
    `<svg id="timeline" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img" aria-label="Timeline of the run">`,
  ];
  for (const t of ticks) {
    parts.push(
      `<line x1="${x(t).toFixed(1)}" y1="${top - 6}" x2="${x(t).toFixed(1)}" y2="${height - 24}" stroke="#ddd"/>`,
      `<text x="${x(t).toFixed(1)}" y="${height - 8}" font-size="11" text-anchor="middle">${seconds(t - report.startedAt)}</text>`,
    );
  }
  lanes.forEach((lane, index) => {
    const y = top + index * laneHeight;
    parts.push(`<text x="4" y="${y + 16}" font-size="12">${escapeHtml(lane)}</text>`);
    for (const item of report.items.filter((i) => i.lane === lane)) {
      const x1 = x(item.start);
      const barWidth = Math.max(3, x(item.end) - x1);
      const failed = /fail|error|rejected|stopped/i.test(item.status);
      parts.push(
        `<rect class="bar ${item.kind}" x="${x1.toFixed(1)}" y="${y + 4}" width="${barWidth.toFixed(1)}" height="${laneHeight - 8}" rx="3" fill="${failed ? FAILED : COLORS[item.kind]}">` +
          `<title>${escapeHtml(`${item.label}: ${item.status}, ${seconds(item.end - item.start)} from ${seconds(item.start - report.startedAt)}`)}</title></rect>`,
      );
    }
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** The whole report page. */
export function renderReport(report: RunReport): string {
  const metricNames = [...new Set(report.versions.flatMap((v) => Object.keys(v.metrics)))];
  const versionRows = report.versions
    .map(
      (v) =>
        `<tr${v.live ? ' class="live"' : ''}><td>${escapeHtml(String(v.version))}${v.live ? ' (live)' : ''}</td>` +
        `<td>${escapeHtml(v.trainingJob)}</td><td>${escapeHtml(v.approval)}</td>` +
        metricNames
          .map((m) => `<td>${v.metrics[m] === undefined ? '' : (v.metrics[m] as number).toFixed(4)}</td>`)
          .join('') +
        `<td>${escapeHtml(v.decision)}</td></tr>`,
    )
    .join('\n');
  const predictionRows = report.predictions
    .map(
      (p) =>
        `<tr class="${p.expected === p.predicted ? 'hit' : 'miss'}"><td>${escapeHtml(p.features)}</td><td>${escapeHtml(p.expected)}</td><td>${escapeHtml(p.predicted)}</td></tr>`,
    )
    .join('\n');
  const alertRows = report.alerts
    .map(
      (a) =>
        `<tr><td>${escapeHtml(a.time)}</td><td>${escapeHtml(a.subject)}</td><td><pre>${escapeHtml(a.message)}</pre></td></tr>`,
    )
    .join('\n');
  const legend = (Object.keys(COLORS) as TimelineKind[])
    .map((kind) => `<span><i style="background:${COLORS[kind]}"></i>${kind}</span>`)
    .concat(`<span><i style="background:${FAILED}"></i>failed</span>`)
    .join(' ');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(report.title)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: left; font-size: 13px; }
tr.live td { font-weight: 600; background: #eef6ee; }
tr.miss td { background: #fbeaea; }
#alerts pre { margin: 0; white-space: pre-wrap; font-family: inherit; }
.legend span { margin-right: 1rem; font-size: 12px; }
.legend i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; }
</style>
</head>
<body>
<h1>${escapeHtml(report.title)}</h1>
<p>Started ${new Date(report.startedAt).toISOString()}, took ${seconds(report.finishedAt - report.startedAt)}.</p>
<h2>Timeline</h2>
<p class="legend">${legend}</p>
${timelineSvg(report)}
<h2>Model versions</h2>
<table id="metrics">
<thead><tr><th>version</th><th>training job</th><th>approval</th>${metricNames.map((m) => `<th>${escapeHtml(m)}</th>`).join('')}<th>gate decision</th></tr></thead>
<tbody>
${versionRows}
</tbody>
</table>
<h2>Alerts</h2>
${
  report.alerts.length
    ? `<table id="alerts">
<thead><tr><th>time</th><th>subject</th><th>message</th></tr></thead>
<tbody>
${alertRows}
</tbody>
</table>`
    : '<p id="alerts">None: nothing needed a human.</p>'
}
<h2>Predictions from the endpoint</h2>
<table id="predictions">
<thead><tr><th>features</th><th>true label</th><th>predicted</th></tr></thead>
<tbody>
${predictionRows}
</tbody>
</table>
${report.notes.length ? `<h2>Notes</h2><ul>${report.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>` : ''}
</body>
</html>
`;
}
