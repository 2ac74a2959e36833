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
    return parseArgs({ ...config, args, strict: true } as T & { args: string[] });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}
