/**
 * One home for every contract between stages: each is defined in shared (contracts.ts, registry.ts) and only
 * imported elsewhere. A grep over the source of every package (tests and generated files aside) finds each
 * definition exactly once, so a producer and its consumer cannot drift apart.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
/** The hand-written handlers the bench compares bundles with: self-contained on purpose. */
const BASELINES = ['bench/src/baselines.ts'];
const SOURCE_ROOTS = [
  'shared/src',
  'cli/src',
  'scenario/src',
  'bench/src',
  'local/src',
  'testing/src',
  'reliability/src',
];

function sources(): string[] {
  const packages = readdirSync(path.join(ROOT, 'packages')).map((name) => `packages/${name}/src`);
  return [...SOURCE_ROOTS, ...packages].flatMap((root) => {
    const dir = path.join(ROOT, root);
    try {
      return readdirSync(dir, { recursive: true, encoding: 'utf8' })
        .filter((file) => file.endsWith('.ts'))
        .map((file) => path.join(root, file))
        .filter((file) => !BASELINES.includes(file));
    } catch {
      return [];
    }
  });
}

/** Each contract: how its definition looks, and where it lives. */
const CONTRACTS: { name: string; definition: RegExp; home: string }[] = [
  { name: 'the evaluation output', definition: /\bEVALUATION_OUTPUT\s*=/, home: 'shared/src/contracts.ts' },
  { name: 'the evaluation file', definition: /=\s*'evaluation\.json'/, home: 'shared/src/contracts.ts' },
  { name: 'the decision file', definition: /=\s*'decision\.json'/, home: 'shared/src/contracts.ts' },
  { name: 'the S3 URI pattern', definition: /S3_URI\s*=\s*\/\^s3/, home: 'shared/src/contracts.ts' },
  { name: 'parseS3Uri of the stages', definition: /function parseS3Uri\(/, home: 'shared/src/contracts.ts' },
  {
    name: 'the image digest pattern',
    definition: /sha256:\[a-f0-9\]\{64\}\$\//,
    home: 'shared/src/contracts.ts',
  },
  {
    name: 'the lineage environment keys',
    definition: /:\s*'MODEL_DATA_URL'/,
    home: 'shared/src/contracts.ts',
  },
  { name: 'the lineage tags', definition: /:\s*'model-package-version'/, home: 'shared/src/contracts.ts' },
  { name: 'the job tags', definition: /:\s*'image-digest'/, home: 'shared/src/contracts.ts' },
  { name: 'the pipeline names', definition: /\bbucket:\s*`\$\{pipeline\}-/, home: 'shared/src/contracts.ts' },
  {
    name: 'the CloudFormation resolver of the tests, the tools and the stack',
    definition: /function resolveValue\(/,
    home: 'testing/src/cfn-expressions.ts',
  },
  {
    // What every resolver of Fn::Sub writes: `${Name}` replaced in the string (a checker only matches them)
    name: "the resolution of Fn::Sub's variables",
    definition: /\.replace\(\/\\\$\\\{\(\[\^\}\]/,
    home: 'testing/src/cfn-expressions.ts',
  },
  {
    name: 'the newest-Approved query',
    definition: /ModelApprovalStatus:\s*'Approved',\s*\n\s*SortBy/,
    home: 'shared/src/registry.ts',
  },
];

describe('Contracts between stages are defined once', () => {
  const files = sources().map((file) => ({ file, text: readFileSync(path.join(ROOT, file), 'utf8') }));

  it('reads the source of every package', () => {
    expect(files.length).toBeGreaterThan(50);
    expect(files.map(({ file }) => file)).toEqual(expect.arrayContaining(['shared/src/contracts.ts']));
  });

  it.each(CONTRACTS)('defines $name once, in $home', ({ definition, home }) => {
    const where = files.filter(({ text }) => definition.test(text)).map(({ file }) => file);
    expect(where).toEqual([home]);
  });
});
