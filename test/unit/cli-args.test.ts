import { describe, expect, it } from 'vitest';
import { parseCommandArgs, UsageError } from '../../src/cli/command.js';

const OPTIONS = { lat: { type: 'string' }, lon: { type: 'string' }, raw: { type: 'boolean' } } as const;
const parse = (args: string[]) => parseCommandArgs<{ options: typeof OPTIONS; allowPositionals: false }>(args, { options: OPTIONS, allowPositionals: false });

describe('CLI argument parsing', () => {
  it('takes a negative number after a string option as its value (a longitude west of Greenwich)', () => {
    expect(parse(['--lat', '38.71', '--lon', '-9.14']).values).toEqual({ lat: '38.71', lon: '-9.14' });
  });

  it('still refuses an unknown option, as a usage error naming it', () => {
    expect(() => parse(['--raw', '--lng', '-9.14'])).toThrow(UsageError);
    expect(() => parse(['--lng', '1'])).toThrow(/--lng/);
  });
});
