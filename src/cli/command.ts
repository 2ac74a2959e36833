// What every CLI command module exports, and the error for bad arguments.
import { parseArgs, type ParseArgsConfig } from 'node:util';

export interface Command {
  /** Shown by `x7 <command> --help` and after a usage error. */
  help: string;
  /** Runs the command; resolves to the process exit code. */
  run(args: string[]): Promise<number>;
}

/** Bad or missing arguments: printed with the command's help, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** node:util parseArgs, with its errors turned into UsageError. */
export function parseCommandArgs<T extends ParseArgsConfig>(args: string[], config: Omit<T, 'args'>) {
  try {
    return parseArgs({ ...config, args: joinNegativeNumbers(args, config.options ?? {}), strict: true } as T & { args: string[] });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/**
 * parseArgs reads "--lon -9.14" as two options; a longitude west of Greenwich is a
 * value, so a negative number after a string option is joined to it ("--lon=-9.14").
 */
function joinNegativeNumbers(args: string[], options: NonNullable<ParseArgsConfig['options']>): string[] {
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const next = args[i + 1];
    const name = arg.startsWith('--') ? arg.slice(2) : undefined;
    if (name && options[name]?.type === 'string' && next !== undefined && /^-\d/.test(next)) {
      joined.push(`${arg}=${next}`);
      i++;
    } else {
      joined.push(arg);
    }
  }
  return joined;
}
