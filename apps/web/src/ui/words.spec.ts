import { describe, expect, it } from '@jest/globals';
import { count } from './words';

describe('count', () => {
  it('takes the singular for one alone', () => {
    expect(count(1, 'proposal')).toBe('1 proposal');
    expect(count(2, 'proposal')).toBe('2 proposals');
    expect(count(0, 'proposal')).toBe('0 proposals');
    expect(count(1, 'party', 'parties')).toBe('1 party');
    expect(count(3, 'party', 'parties')).toBe('3 parties');
  });
});
