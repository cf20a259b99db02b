import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FEATURE_NAMES, splits } from '../../src/dataset.js';
import { DEFAULT_HYPERPARAMETERS } from '../../src/hyperparameters.js';
import { Predictor, trainModel } from '../../src/model.js';
import { createModelServer, type InvocationResponse, MAX_PAYLOAD_BYTES, runServe } from '../../src/serve.js';
import { appendCsv } from '../../src/table.js';
import { container } from '../helpers/container.js';

const data = splits();
const artifact = trainModel(appendCsv(undefined, data.train, 'train.csv'), DEFAULT_HYPERPARAMETERS, 'lib');
const predictor = Predictor.fromArtifact(artifact);
const expectedLabels = predictor.predict(data.holdout.features).map((p) => p.label);

describe('Function: createModelServer', () => {
  let server: Server;
  let base: string;

  beforeAll(async () => {
    server = createModelServer(predictor, () => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const invoke = (body: string, contentType: string, headers: Record<string, string> = {}) =>
    fetch(`${base}/invocations`, {
      method: 'POST',
      body,
      headers: { 'content-type': contentType, ...headers },
    });
  const labels = async (response: Response) =>
    ((await response.json()) as InvocationResponse).predictions.map((p) => p.label);

  it('answers GET /ping with 200 once the model is loaded', async () => {
    // Act
    const response = await fetch(`${base}/ping`);

    // Assess
    expect(response.status).toBe(200);
  });

  it('predicts CSV rows without a header, in order, with the probabilities of every class', async () => {
    // Act
    const response = await invoke(data.holdout.csv, 'text/csv');

    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    const body = (await response.json()) as InvocationResponse;
    expect(body.predictions.map((p) => p.label)).toEqual(expectedLabels);
    expect(Object.keys(body.predictions[0]?.probabilities ?? {})).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
    const correct = expectedLabels.filter((label, i) => label === data.holdout.labels[i]).length;
    expect(correct / expectedLabels.length).toBeGreaterThanOrEqual(0.9);
  });

  it('matches CSV columns by a header row, in any order, ignoring other columns such as the label', async () => {
    // Prepare
    const [a, b] = data.holdout.features;
    const csv = `body_mass_g,species,beak_length_mm,beak_depth_mm,flipper_length_mm\r\n${a?.[3]},?,${a?.[0]},${a?.[1]},${a?.[2]}\r\n${b?.[3]},?,${b?.[0]},${b?.[1]},${b?.[2]}\r\n`;

    // Act
    const response = await invoke(csv, 'text/csv; charset=utf-8');

    // Assess
    expect(response.status).toBe(200);
    expect(await labels(response)).toEqual(expectedLabels.slice(0, 2));
  });

  it('predicts JSON instances given as arrays, objects keyed by feature and {"features": [...]}', async () => {
    // Prepare
    const [a, b, c] = data.holdout.features;
    const instances = [
      a,
      Object.fromEntries(FEATURE_NAMES.map((name, i) => [name, b?.[i]])),
      { features: c },
    ];

    // Act
    const wrapped = await invoke(JSON.stringify({ instances }), 'application/json');
    const bare = await invoke(JSON.stringify(instances), 'application/json', { accept: 'application/json' });

    // Assess
    expect(wrapped.status).toBe(200);
    expect(await labels(wrapped)).toEqual(expectedLabels.slice(0, 3));
    expect(bare.status).toBe(200);
    expect(await labels(bare)).toEqual(expectedLabels.slice(0, 3));
  });

  it.each([
    ['an empty payload', '', 'text/csv', 'the payload is empty'],
    ['a CSV row with too few values', '39.1,18.7,181', 'text/csv', 'CSV row 1 has 3 values; expected 4'],
    [
      'a CSV value that is not a number',
      '39.1,18.7,181,heavy',
      'text/csv',
      'CSV row 1: "heavy" for body_mass_g is not a number',
    ],
    [
      'a CSV header without the features',
      'a,b,c,d\n1,2,3,4',
      'text/csv',
      'neither numbers nor a header naming the features',
    ],
    [
      'a CSV header and no row',
      'beak_length_mm,beak_depth_mm,flipper_length_mm,body_mass_g\n',
      'text/csv',
      'the CSV payload has a header but no row',
    ],
    ['JSON that does not parse', '{"instances": [', 'application/json', 'the JSON payload does not parse'],
    [
      'JSON without instances',
      '{"rows": []}',
      'application/json',
      'the JSON payload must be {"instances": [...]}',
    ],
    ['JSON with no instance', '{"instances": []}', 'application/json', 'no instance to predict'],
    [
      'a JSON instance of the wrong length',
      '[[1, 2]]',
      'application/json',
      'instance 0 has 2 values; expected 4',
    ],
    [
      'a JSON object missing a feature',
      '[{"beak_length_mm": 39}]',
      'application/json',
      'instance 0: beak_depth_mm must be a number, got nothing',
    ],
    [
      'a JSON value that is a string',
      '[[1, 2, 3, "4"]]',
      'application/json',
      'instance 0: body_mass_g must be a number, got "4"',
    ],
  ])('answers 400 with the reason for %s', async (_case, body, contentType, message) => {
    // Act
    const response = await invoke(body, contentType);

    // Assess
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toContain(message);
  });

  it('answers 415 for another content type and 406 for an Accept it cannot meet', async () => {
    // Act
    const unsupported = await invoke('1,2,3,4', 'application/x-recordio-protobuf');
    const notAcceptable = await invoke('1,2,3,4', 'text/csv', { accept: 'text/csv' });

    // Assess
    expect(unsupported.status).toBe(415);
    expect(((await unsupported.json()) as { error: string }).error).toBe(
      'content type "application/x-recordio-protobuf" is not supported: use text/csv or application/json',
    );
    expect(notAcceptable.status).toBe(406);
  });

  it('answers 413 for a payload over the 6 MB SageMaker limit', async () => {
    // Act
    const response = await invoke('1'.repeat(MAX_PAYLOAD_BYTES + 1), 'text/csv');

    // Assess
    expect(response.status).toBe(413);
  });

  it('answers 404 for another path and 405 for another method', async () => {
    // Act
    const missing = await fetch(`${base}/predict`, { method: 'POST' });
    const wrongMethod = await fetch(`${base}/invocations`);

    // Assess
    expect(missing.status).toBe(404);
    expect(wrongMethod.status).toBe(405);
  });
});

describe('Function: runServe', () => {
  it('loads the model of SM_MODEL_DIR and listens on SAGEMAKER_BIND_TO_PORT', async () => {
    // Prepare
    const c = container();
    c.write('/opt/ml/model/model.json', JSON.stringify(artifact));
    const probe = createModelServer(predictor);
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const log: string[] = [];

    // Act
    const server = await runServe(
      { ...c.env, SM_MODEL_DIR: c.path('/opt/ml/model'), SAGEMAKER_BIND_TO_PORT: String(port) },
      (line) => log.push(line),
    );

    // Assess
    try {
      expect((await fetch(`http://127.0.0.1:${port}/ping`)).status).toBe(200);
      expect(log).toEqual([
        `serving 3 classes on 127.0.0.1:${port} (features beak_length_mm, beak_depth_mm, flipper_length_mm, body_mass_g)`,
      ]);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      c.remove();
    }
  });
});
