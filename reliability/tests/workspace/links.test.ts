// Every relative link of every Markdown page the repository holds points at a file that exists and, with an
// #anchor, at a heading of that page: remark-validate-links, run over all pages at once by unified-engine (as
// remark-cli does), so that links between pages are checked too. Links to the web are not followed (offline).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { remark } from 'remark';
import remarkValidateLinks from 'remark-validate-links';
import { engine } from 'unified-engine';

const root = path.resolve(import.meta.dirname, '..', '..', '..');

interface Problem {
  file: string;
  line: number | undefined;
  reason: string;
}

/** What remark-validate-links finds wrong in `files` (paths relative to the repository). */
function brokenLinks(files: string[]): Promise<Problem[]> {
  return new Promise((resolve, reject) => {
    engine(
      {
        processor: remark(),
        files,
        cwd: root,
        // the engine hands the plugin the set of files, which lets it check headings across pages
        plugins: [[remarkValidateLinks as never, { repository: false }]],
        detectConfig: false,
        detectIgnore: false,
        output: false,
        out: false,
        silent: true,
        streamError: new PassThrough(),
      },
      (error, _code, context) => {
        if (error) return reject(error);
        resolve(
          (context?.files ?? []).flatMap((file) =>
            file.messages.map((message) => ({
              file: path.relative(root, path.resolve(root, file.path)),
              line: message.line,
              reason: message.reason,
            })),
          ),
        );
      },
    );
  });
}

const pages = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.md'], {
  cwd: root,
  encoding: 'utf8',
})
  .split('\n')
  .filter(
    (file) => file && !file.includes('node_modules/') && !file.startsWith('reliability/tests/fixtures/'),
  );

describe('documentation links', () => {
  it('finds the pages: the README, docs/ and the package READMEs', () => {
    expect(pages).toEqual(
      expect.arrayContaining(['README.md', 'docs/convergence.md', 'packages/deploy-model/README.md']),
    );
  });

  it('has no relative link to a missing file or heading, in any page', async () => {
    const problems = await brokenLinks(pages);

    expect(problems.map((p) => `${p.file}:${p.line ?? '?'} ${p.reason}`)).toEqual([]);
  }, 60_000);

  it('reports a broken link with its page, line and target', async () => {
    // a page of the test's own fixtures, with a link to a file and one to a heading that do not exist
    const problems = await brokenLinks(['reliability/tests/fixtures/docs/broken-links.md']);

    expect(problems).toEqual([
      expect.objectContaining({ line: 3, reason: expect.stringContaining('no-such-page.md') }),
      expect.objectContaining({ line: 5, reason: expect.stringContaining('no-such-heading') }),
    ]);
  });
});

/** The prose paragraphs of a page (code blocks, tables and short lines aside), whitespace-normalised. */
function paragraphs(file: string): string[] {
  const text = readFileSync(path.join(root, file), 'utf8').replace(/```[\s\S]*?```/g, '');
  return text
    .split(/\n\s*\n/)
    .map((block) => block.replace(/\s+/g, ' ').trim())
    .filter((block) => block.length >= 120 && !block.startsWith('|') && !block.startsWith('#'));
}

describe('documentation pages', () => {
  it('hold each paragraph once: a stage README is the only home of its text', () => {
    const seen = new Map<string, string>();
    const repeated: string[] = [];
    for (const page of pages) {
      for (const paragraph of paragraphs(page)) {
        const first = seen.get(paragraph);
        if (first && first !== page) repeated.push(`${page} repeats ${first}: ${paragraph.slice(0, 80)}...`);
        seen.set(paragraph, first ?? page);
      }
    }

    expect(seen.size).toBeGreaterThan(100);
    expect(repeated).toEqual([]);
  });
});
