import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type RunReport, renderReport } from '../src/report.js';
import { launchChromium } from './browser.js';

const t0 = Date.parse('2026-11-27T10:00:00Z');
const report: RunReport = {
  title: 'Offline run <test>',
  startedAt: t0,
  finishedAt: t0 + 20_000,
  items: [
    {
      lane: 'triggerTraining',
      label: 'triggerTraining',
      kind: 'invocation',
      start: t0 + 500,
      end: t0 + 700,
      status: 'started',
    },
    {
      lane: 'training jobs',
      label: 'mlpipe-local-train-1',
      kind: 'training',
      start: t0 + 800,
      end: t0 + 4_000,
      status: 'Completed',
    },
    {
      lane: 'evaluation jobs',
      label: 'mlpipe-local-eval-1',
      kind: 'processing',
      start: t0 + 4_200,
      end: t0 + 5_000,
      status: 'Failed',
    },
  ],
  versions: [
    {
      version: 1,
      trainingJob: 'mlpipe-local-train-1',
      approval: 'Approved',
      decision: 'passed',
      metrics: { accuracy: 0.97 },
      live: true,
    },
    {
      version: '—',
      trainingJob: 'mlpipe-local-retrain-2',
      approval: 'Rejected (gate)',
      decision: 'not better than 0.97',
      metrics: { accuracy: 0.95 },
      live: false,
    },
  ],
  predictions: [{ features: '1, 2', expected: 'Adelie', predicted: 'Adelie' }],
  alerts: [
    {
      time: '2026-11-27T10:00:18.000Z',
      subject: '[mlpipe-local] Model of mlpipe-local-retrain-2 rejected by the gate',
      message: 'The model was not registered.\n\nWhy: not better than 0.97 <champion>',
    },
  ],
  notes: [],
};

describe('Function: renderReport', () => {
  it('escapes text and draws one bar per timeline item, red for failures', () => {
    const html = renderReport(report);
    expect(html).toContain('Offline run &lt;test&gt;');
    expect(html.match(/<rect class="bar /g)).toHaveLength(3);
    expect(html).toMatch(/<rect class="bar processing"[^>]*fill="#e45756"/);
    expect(html).toContain('<tr class="live"><td>1 (live)</td>');
    expect(html).toContain(
      '<pre>The model was not registered.\n\nWhy: not better than 0.97 &lt;champion&gt;</pre>',
    );
    expect(renderReport({ ...report, alerts: [] })).toContain(
      '<p id="alerts">None: nothing needed a human.</p>',
    );
  });

  it('renders in headless Chromium with the timeline chart and the metrics table', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'report-'));
    const file = path.join(dir, 'report.html');
    await writeFile(file, renderReport(report));
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(pathToFileURL(file).href);
      const bars = await page.locator('#timeline rect.bar').count();
      const box = await page.locator('#timeline').boundingBox();
      const rows = await page.locator('#metrics tbody tr').allInnerTexts();
      const alerts = await page.locator('#alerts tbody tr').allInnerTexts();
      expect(bars).toBe(3);
      expect(box?.width).toBeGreaterThan(500);
      expect(rows).toHaveLength(2);
      expect(rows[0]).toContain('0.9700');
      expect(alerts).toEqual([expect.stringContaining('rejected by the gate')]);
    } finally {
      await browser.close();
    }
  });
});
