import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { csvCell, defuseFormula, parseCsv, toCsv } from './csv';

const cellArb = fc.string({ unit: fc.constantFrom('a', 'Z', ' ', ',', '"', '\n', '\r', '=', '+', '-', '@', '\t', "'", 'é'), maxLength: 12 });

describe('csv', () => {
  it('quotes commas, quotes and newlines as RFC 4180 says', () => {
    expect(csvCell('Lab "A", Inc.\nEast')).toBe('"Lab ""A"", Inc.\nEast"');
    expect(csvCell('plain')).toBe('plain');
    expect(
      toCsv([
        ['a', 'b'],
        ['c,d', ''],
      ]),
    ).toBe('a,b\r\n"c,d",\r\n');
  });

  it('defuses cells a spreadsheet would run as a formula', () => {
    for (const start of ['=', '+', '-', '@', '\t', '\r']) expect(defuseFormula(`${start}SUM(A1)`)).toBe(`'${start}SUM(A1)`);
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(defuseFormula('a=b')).toBe('a=b');
  });

  it('parsing the output gives back every cell (defused)', () => {
    fc.assert(
      fc.property(fc.array(fc.array(cellArb, { minLength: 1, maxLength: 5 }), { maxLength: 6 }), (rows) => {
        expect(parseCsv(toCsv(rows))).toEqual(rows.map((r) => r.map(defuseFormula)));
      }),
    );
  });

  it('every line of the output is one row: no bare line break outside quotes', () => {
    fc.assert(
      fc.property(fc.array(fc.array(cellArb, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 4 }), (rows) => {
        expect(parseCsv(toCsv(rows))).toHaveLength(rows.length);
      }),
    );
  });
});
