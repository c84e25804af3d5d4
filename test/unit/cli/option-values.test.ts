import { describeLimits, optionName, readWholeNumber } from '../../../lib/cli/option-values';

describe('Function: readWholeNumber', () => {
  it.each([
    ['1', { min: 1, max: 16 }, 1],
    ['16', { min: 1, max: 16 }, 16],
    ['007', { min: 1, max: 16 }, 7],
    ['0', { min: 0, max: 65_535 }, 0],
    ['65535', { min: 0, max: 65_535 }, 65_535],
    ['9007199254740991', { min: 1 }, Number.MAX_SAFE_INTEGER],
  ])('reads %s within %j as %d', (text, limits, expected) => {
    expect(readWholeNumber(text, limits)).toBe(expected);
  });

  it.each([
    ['0', { min: 1, max: 16 }],
    ['17', { min: 1, max: 16 }],
    ['65536', { min: 0, max: 65_535 }],
    ['-1', { min: 0 }],
    ['', { min: 0 }],
    [' 4', { min: 1 }],
    ['4.0', { min: 1 }],
    ['1e3', { min: 1 }],
    ['0x10', { min: 1 }],
    ['many', { min: 1 }],
    ['9007199254740993', { min: 1 }],
  ])('refuses %j within %j', (text, limits) => {
    expect(readWholeNumber(text, limits)).toBeUndefined();
  });
});

describe('Function: describeLimits', () => {
  it.each([
    [{ min: 1, max: 16 }, 'from 1 to 16'],
    [{ min: 1 }, 'of at least 1'],
  ])('says %j as "%s"', (limits, expected) => {
    expect(describeLimits(limits)).toBe(expected);
  });
});

describe('Function: optionName', () => {
  it.each([
    [['since'], '--since'],
    [['partRows'], '--part-rows'],
    [['glueTablePrefix'], '--glue-table-prefix'],
    [['objects', 0], '--objects'],
    [[], 'options'],
  ])('names %j %s', (path, expected) => {
    expect(optionName(path)).toBe(expected);
  });
});
