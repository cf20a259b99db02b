/**
 * Every stage has the same shape, so a reader who knows one knows all: `src/handler.ts` (the deployed handler,
 * from shared's createStageHandler), `src/<stage>.ts` (the business function, named after the stage) and
 * `src/config.ts` (its configuration schema).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVICES } from '@sagemaker-pipeline/shared/contracts';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const STAGES = SERVICES.filter((service) => service !== 'infra');

describe('Workspace: the shape of a stage', () => {
  it.each(STAGES)('%s has src/handler.ts, its business file src/<stage>.ts and src/config.ts', (stage) => {
    const src = path.join(ROOT, 'packages', stage, 'src');
    const missing = ['handler.ts', `${stage}.ts`, 'config.ts'].filter(
      (file) => !existsSync(path.join(src, file)),
    );

    expect(missing).toEqual([]);
    expect(readFileSync(path.join(src, 'handler.ts'), 'utf8')).toContain('createStageHandler(');
    expect(readFileSync(path.join(src, 'handler.ts'), 'utf8')).toContain(`from './${stage}.js'`);
  });
});
