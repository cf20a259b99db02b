// RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF, an optional UTF-8 BOM. Blank lines are skipped.
import { InputError } from './errors.js';

export function parseCsv(text: string, source = 'input'): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let fieldStarted = false;
  let line = 1;
  const input = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const endRow = (): void => {
    row.push(field);
    if (row.length > 1 || row[0] !== '' || fieldStarted) rows.push(row);
    row = [];
    field = '';
    fieldStarted = false;
  };
  for (let i = 0; i < input.length; i += 1) {
    const char = input[i];
    if (quoted) {
      if (char === '"') {
        if (input[i + 1] === '"') {
          field += '"';
          i += 1;
        } else {
          quoted = false;
        }
      } else {
        if (char === '\n') line += 1;
        field += char;
      }
    } else if (char === '"') {
      if (field !== '') throw new InputError(`${source}, line ${line}: a quote inside an unquoted field`);
      quoted = true;
      fieldStarted = true;
    } else if (char === ',') {
      row.push(field);
      field = '';
      fieldStarted = true;
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && input[i + 1] === '\n') i += 1;
      endRow();
      line += 1;
    } else {
      field += char;
    }
  }
  if (quoted) throw new InputError(`${source}: a quoted field is not closed`);
  if (field !== '' || row.length > 0 || fieldStarted) endRow();
  return rows;
}

const quote = (value: string | number): string => {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

export function toCsv(rows: readonly (readonly (string | number)[])[]): string {
  return rows.map((row) => row.map(quote).join(',')).join('\n') + (rows.length ? '\n' : '');
}

/** Cells that mean "no value" in exported tables. */
export const isMissing = (cell: string): boolean => /^(|na|nan|null|none)$/i.test(cell.trim());

/** A finite number, or undefined when the cell is not one. */
export function parseNumber(cell: string): number | undefined {
  const trimmed = cell.trim();
  if (trimmed === '') return undefined;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : undefined;
}
