import {
  DEFAULT_HYPERPARAMETERS,
  parseHyperparameters,
  readHyperparameters,
} from '../../src/hyperparameters.js';
import { type Container, container } from '../helpers/container.js';

describe('Function: parseHyperparameters', () => {
  it('parses the string values SageMaker passes and keeps defaults for the others', () => {
    // Act
    const parsed = parseHyperparameters({
      n_estimators: '80',
      max_depth: ' 6 ',
      seed: '7',
      target: 'species',
    });

    // Assess
    expect(parsed).toEqual({
      n_estimators: 80,
      max_depth: 6,
      max_features: 1,
      min_samples_split: 3,
      seed: 7,
      target: 'species',
    });
  });

  it('gives the defaults for no hyperparameters and accepts decoded numbers (SM_HPS)', () => {
    // Assess
    expect(parseHyperparameters({})).toEqual(DEFAULT_HYPERPARAMETERS);
    expect(parseHyperparameters({ n_estimators: 5, max_features: 0.5 })).toMatchObject({
      n_estimators: 5,
      max_features: 0.5,
    });
  });

  it('ignores the sagemaker_* names the SageMaker SDK adds', () => {
    // Act
    const parsed = parseHyperparameters({ sagemaker_program: 'train.py', sagemaker_region: '"us-east-1"' });

    // Assess
    expect(parsed).toEqual(DEFAULT_HYPERPARAMETERS);
  });

  it.each([
    [{ n_estimators: 'ten' }, 'hyperparameter n_estimators="ten" must be an integer'],
    [{ n_estimators: '2.5' }, 'hyperparameter n_estimators="2.5" must be an integer'],
    [{ n_estimators: '0' }, 'hyperparameter n_estimators=0 must be between 1 and 1000'],
    [{ max_depth: '500' }, 'hyperparameter max_depth=500 must be between 1 and 100'],
    [{ max_features: '1.5' }, 'hyperparameter max_features="1.5" must be a number in (0, 1]'],
    [{ max_features: '' }, 'hyperparameter max_features="" must be a number in (0, 1]'],
    [{ seed: '-1' }, 'hyperparameter seed=-1 must be between 0 and 2147483647'],
    [{ target: ' ' }, 'hyperparameter target must not be empty'],
    [{ n_estimator: '10', learning_rate: '0.1' }, 'unknown hyperparameter(s) n_estimator, learning_rate'],
  ])('refuses %j with a message naming the hyperparameter', (raw, message) => {
    // Act & Assess
    expect(() => parseHyperparameters(raw)).toThrow(message);
  });
});

describe('Function: readHyperparameters', () => {
  let c: Container;
  beforeEach(() => {
    c = container();
  });
  afterEach(() => c.remove());

  it('reads /opt/ml/input/config/hyperparameters.json in preference to SM_HPS', () => {
    // Prepare
    c.write('/opt/ml/input/config/hyperparameters.json', '{"seed":"3"}');

    // Act
    const raw = readHyperparameters({ ...c.env, SM_HPS: '{"seed":4}' });

    // Assess
    expect(raw).toEqual({ seed: '3' });
  });

  it('falls back to SM_HPS, then to no hyperparameters', () => {
    // Assess
    expect(readHyperparameters({ ...c.env, SM_HPS: '{"seed":4}' })).toEqual({ seed: 4 });
    expect(readHyperparameters(c.env)).toEqual({});
  });

  it('refuses a hyperparameters file that is not a JSON object', () => {
    // Prepare
    c.write('/opt/ml/input/config/hyperparameters.json', '["seed"]');

    // Act & Assess
    expect(() => readHyperparameters(c.env)).toThrow('hyperparameters.json must be a JSON object');
  });
});
