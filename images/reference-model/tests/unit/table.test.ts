import { InputError } from '../../src/errors.js';
import { listCsvFiles, readLabelledDir } from '../../src/table.js';
import { type Container, container } from '../helpers/container.js';

describe('Function: readLabelledDir', () => {
  let c: Container;
  beforeEach(() => {
    c = container();
  });
  afterEach(() => c.remove());

  it('reads every CSV file below the folder in path order, matching columns by name', () => {
    // Prepare
    c.write('/data/b.csv', 'species,x,y\nGentoo,3,30\n');
    c.write('/data/a/1.csv', 'species,x,y\nAdelie,1,10\n');
    c.write('/data/a/2.CSV', 'y,species,x\n20,Chinstrap,2\n');
    c.write('/data/_SUCCESS', '');
    c.write('/data/manifest.json', '{}');

    // Act
    const data = readLabelledDir(c.path('/data'));

    // Assess
    expect(data).toEqual({
      target: 'species',
      featureNames: ['x', 'y'],
      features: [
        [1, 10],
        [2, 20],
        [3, 30],
      ],
      labels: ['Adelie', 'Chinstrap', 'Gentoo'],
      skippedRows: 0,
      files: ['a/1.csv', 'a/2.CSV', 'b.csv'],
    });
  });

  it('takes the label column from the target option and skips rows with a missing value', () => {
    // Prepare
    c.write('/data/part.csv', 'x,label,y\n1,a,2\nNA,b,3\n4,,5\n6,c,7\n');

    // Act
    const data = readLabelledDir(c.path('/data'), { target: 'label' });

    // Assess
    expect(data).toMatchObject({
      target: 'label',
      featureNames: ['x', 'y'],
      features: [
        [1, 2],
        [6, 7],
      ],
      labels: ['a', 'c'],
      skippedRows: 2,
    });
  });

  it('reads only the given feature columns, in their order, ignoring other columns', () => {
    // Prepare
    c.write('/eval/e.csv', 'id,y,species,x\nr1,20,Adelie,2\n');

    // Act
    const data = readLabelledDir(c.path('/eval'), { target: 'species', featureNames: ['x', 'y'] });

    // Assess
    expect(data.features).toEqual([[2, 20]]);
    expect(data.labels).toEqual(['Adelie']);
  });

  it.each([
    [
      'a value that is not a number',
      { 'a.csv': 'species,x\nAdelie,tall\n' },
      'a.csv, row 2: "tall" in column x is not a number',
    ],
    [
      'a row of the wrong width',
      { 'a.csv': 'species,x\nAdelie,1,2\n' },
      'a.csv, row 2: 3 values for 2 columns',
    ],
    [
      'a header without features',
      { 'a.csv': 'species\nAdelie\n' },
      'a.csv: expected a header row with a label column',
    ],
    ['a duplicated column', { 'a.csv': 'species,x,x\nAdelie,1,2\n' }, 'a.csv: the column "x" appears twice'],
    [
      'a file with another column',
      { 'a.csv': 'species,x\nAdelie,1\n', 'b.csv': 'species,x,z\nGentoo,2,3\n' },
      "b.csv: column(s) z are not in the first file's header (species, x)",
    ],
    [
      'a file missing a column',
      { 'a.csv': 'species,x,y\nAdelie,1,2\n', 'b.csv': 'species,x\nGentoo,2\n' },
      'b.csv: missing feature column(s) y',
    ],
    ['only incomplete rows', { 'a.csv': 'species,x\nAdelie,\n' }, 'no complete row in 1 CSV file(s)'],
  ])('refuses %s with an InputError naming the file', (_case, files, message) => {
    // Prepare
    for (const [name, content] of Object.entries(files)) c.write(`/data/${name}`, content);

    // Act & Assess
    expect(() => readLabelledDir(c.path('/data'))).toThrow(InputError);
    expect(() => readLabelledDir(c.path('/data'))).toThrow(message);
  });

  it('refuses a label column that is not in the header', () => {
    // Prepare
    c.write('/data/a.csv', 'species,x\nAdelie,1\n');

    // Act & Assess
    expect(() => readLabelledDir(c.path('/data'), { target: 'island' })).toThrow(
      'a.csv: no label column "island" in the header (species, x)',
    );
  });

  it('refuses a folder without CSV files and a folder that does not exist', () => {
    // Prepare
    c.write('/data/readme.txt', 'no data');

    // Act & Assess
    expect(() => readLabelledDir(c.path('/data'))).toThrow(`no CSV file under ${c.path('/data')}`);
    expect(() => listCsvFiles(c.path('/nowhere'))).toThrow(`${c.path('/nowhere')} does not exist`);
  });
});
