/**
 * One line per step with its elapsed time: a spinner on a terminal (ora), plain lines when the output is not
 * a terminal or CI is set (ora falls back to printing only the final line of each step).
 */
import ora from 'ora';
import type { ProgressReporter, StepHandle } from './lifecycle.js';

const elapsed = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

export function terminalProgress(stream: NodeJS.WriteStream = process.stdout): ProgressReporter {
  const runStart = Date.now();
  return {
    step(title: string): StepHandle {
      const start = Date.now();
      const spinner = ora({ text: title, stream, discardStdin: false }).start();
      const timer = setInterval(() => {
        spinner.text = `${title} (${elapsed(start)})`;
      }, 100);
      const finish = (method: 'succeed' | 'fail', detail: string) => {
        clearInterval(timer);
        spinner[method](`${title.padEnd(32)} ${detail}  [${elapsed(start)}, at ${elapsed(runStart)}]`);
      };
      return {
        update(detail) {
          spinner.text = `${title}: ${detail} (${elapsed(start)})`;
        },
        done: (detail) => finish('succeed', detail),
        fail: (detail) => finish('fail', detail),
      };
    },
  };
}
