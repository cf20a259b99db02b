import { isMissing, parseCsv, parseNumber, toCsv } from '../../src/csv.js';
import { InputError } from '../../src/errors.js';

describe('Function: parseCsv', () => {
  it.each([
    [
      'quoted fields with commas, doubled quotes and line breaks',
      'name,note\n"Adelie, Torgersen","said ""hi"""\n"two\nlines",x\n',
      [
        ['name', 'note'],
        ['Adelie, Torgersen', 'said "hi"'],
        ['two\nlines', 'x'],
      ],
    ],
    [
      'CRLF line ends, a BOM and a missing final newline, skipping blank lines',
      '\uFEFFa,b\r\n1,2\r\n\r\n\n3,4',
      [
        ['a', 'b'],
        ['1', '2'],
        ['3', '4'],
      ],
    ],
    [
      'empty fields, including a row of one quoted empty field',
      'a,,c\n""\n,\n',
      [['a', '', 'c'], [''], ['', '']],
    ],
  ])('reads %s', (_what, text, rows) => {
    expect(parseCsv(text)).toEqual(rows);
  });

  it('refuses an unterminated quote and a quote inside an unquoted field, naming the source', () => {
    // Act & Assess
    expect(() => parseCsv('a,"b\n1,2', 'train/part-1.csv')).toThrow(
      new InputError('train/part-1.csv: a quoted field is not closed'),
    );
    expect(() => parseCsv('a,b\n1,x"y', 'batch.csv')).toThrow(
      'batch.csv, line 2: a quote inside an unquoted field',
    );
  });
});

describe('Function: toCsv', () => {
  it('quotes only the cells that need it and parses back to the same rows', () => {
    // Prepare
    const rows = [
      ['species', 'note'],
      ['Gentoo', 'a "big", one'],
      ['Adelie', 42.5],
    ];

    // Act
    const text = toCsv(rows);

    // Assess
    expect(text).toBe('species,note\nGentoo,"a ""big"", one"\nAdelie,42.5\n');
    expect(parseCsv(text)).toEqual(rows.map((row) => row.map(String)));
  });
});

describe('Function: parseNumber / isMissing', () => {
  it('parses finite numbers only and recognises the usual missing-value markers', () => {
    // Assess
    expect([' 39.1 ', '-2', '1e3', '', 'abc', 'Infinity'].map(parseNumber)).toEqual([
      39.1,
      -2,
      1000,
      undefined,
      undefined,
      undefined,
    ]);
    expect(['', ' ', 'NA', 'nan', 'NULL', 'None', '0', 'n/a'].map(isMissing)).toEqual([
      true,
      true,
      true,
      true,
      true,
      true,
      false,
      false,
    ]);
  });
});
