import { FEATURE_NAMES, HEADER, penguins, splits } from '../../src/dataset.js';
import { appendCsv } from '../../src/table.js';

const rowsOf = (csv: string): string[] => csv.trim().split('\n').slice(1);

describe('Function: penguins', () => {
  it('reads the 342 penguins of vega-datasets that have all four measurements', () => {
    // Act
    const all = penguins();

    // Assess
    expect(all).toHaveLength(342);
    const counts = Object.fromEntries(['Adelie', 'Chinstrap', 'Gentoo'].map((s) => [s, 0]));
    for (const penguin of all) counts[penguin.species] = (counts[penguin.species] ?? 0) + 1;
    expect(counts).toEqual({ Adelie: 151, Chinstrap: 68, Gentoo: 123 });
    expect(all[0]).toEqual({ species: 'Adelie', features: [39.1, 18.7, 181, 3750] });
  });
});

describe('Function: splits', () => {
  it('cuts training, evaluation, new-data batches and holdout rows of the stated sizes', () => {
    // Act
    const data = splits();

    // Assess
    expect(data.counts).toEqual({ train: 152, evaluation: 70, newData: [30, 30, 30], holdout: 30 });
    expect(rowsOf(data.train)).toHaveLength(152);
    expect(rowsOf(data.evaluation)).toHaveLength(70);
    expect(data.newData.map((csv) => rowsOf(csv).length)).toEqual([30, 30, 30]);
    expect(data.holdout.features).toHaveLength(30);
    expect(data.holdout.labels).toHaveLength(30);
    for (const csv of [data.train, data.evaluation, ...data.newData]) {
      expect(csv.split('\n')[0]).toBe('species,beak_length_mm,beak_depth_mm,flipper_length_mm,body_mass_g');
    }
    expect(data.header).toEqual(HEADER);
    expect(data.holdout.header).toEqual([...FEATURE_NAMES]);
    expect(data.holdout.csv.trim().split('\n')).toHaveLength(30);
    expect(data.holdout.csv.split('\n')[0]?.split(',')).toHaveLength(FEATURE_NAMES.length);
  });

  it('uses every complete penguin exactly once across the parts', () => {
    // Prepare
    const data = splits();
    const holdoutRows = data.holdout.features.map((features, i) =>
      [data.holdout.labels[i], ...features].join(','),
    );

    // Act
    const all = [data.train, data.evaluation, ...data.newData].flatMap(rowsOf).concat(holdoutRows);

    // Assess
    const expected = penguins().map((p) => [p.species, ...p.features].join(','));
    expect([...all].sort()).toEqual([...expected].sort());
  });

  it('is repeatable for a seed and different for another', () => {
    // Assess
    expect(splits()).toEqual(splits());
    expect(splits({ seed: 8 }).evaluation).not.toEqual(splits().evaluation);
  });

  it('keeps about the species mix of the whole data set in every part', () => {
    // Prepare
    const data = splits();
    const share = (labels: string[], species: string) =>
      labels.filter((l) => l === species).length / labels.length;
    const parts = [data.train, data.evaluation, ...data.newData].map(
      (csv) => appendCsv(undefined, csv, 'p').labels,
    );

    // Assess
    for (const labels of [...parts, data.holdout.labels]) {
      expect(Math.abs(share(labels, 'Adelie') - 151 / 342)).toBeLessThan(0.05);
      expect(Math.abs(share(labels, 'Gentoo') - 123 / 342)).toBeLessThan(0.05);
      expect(Math.abs(share(labels, 'Chinstrap') - 68 / 342)).toBeLessThan(0.05);
    }
  });

  it('refuses sizes that leave too little to train on', () => {
    // Act & Assess
    expect(() => splits({ evaluationRows: 300 })).toThrow(RangeError);
  });
});
