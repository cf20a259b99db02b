import { esbuildOptionsFromYaml } from '../../src/bundles.js';

describe('Function: esbuildOptionsFromYaml', () => {
  it('drops the options that are serverless-esbuild own and keeps the esbuild ones', () => {
    // Prepare: the shape of esbuild.yml
    const yaml = [
      'bundle: true',
      'minify: true',
      'format: cjs',
      'outputFileExtension: .cjs',
      'target: node24',
      'mainFields: [module, main]',
      'exclude: []',
    ].join('\n');

    // Act
    const options = esbuildOptionsFromYaml(yaml);

    // Assess
    expect(options).toEqual({
      bundle: true,
      minify: true,
      format: 'cjs',
      target: 'node24',
      mainFields: ['module', 'main'],
      external: [],
    });
  });

  it('applies serverless-esbuild defaults: node18 and aws-sdk v2 excluded', () => {
    // Act
    const options = esbuildOptionsFromYaml('minify: false');

    // Assess
    expect(options).toEqual({ bundle: true, target: 'node18', minify: false, external: ['aws-sdk'] });
  });
});
