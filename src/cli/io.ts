// Output conventions of the operator commands: results on stdout (one line each,
// so they pipe into grep/jq), progress and logs on stderr.
import { pino } from 'pino';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';

export function progress(line: string): void {
  process.stderr.write(`${line}\n`);
}

export function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

/**
 * Logger for a command's libraries (kafkajs): JSON on stderr, so stdout stays clean
 * for results. Quiet (warn) unless X7_LOG_LEVEL asks for more.
 */
export function commandLogger(name: string, config: Pick<Config, 'logLevel'>): Logger {
  const level = process.env.X7_LOG_LEVEL ? config.logLevel : 'warn';
  return pino({ name, level, base: { service: name, pid: process.pid } }, pino.destination(2));
}

/** The level kafkajs should log at for a command (see commandLogger). */
export function commandLogLevel(config: Pick<Config, 'logLevel'>): Config['logLevel'] {
  return process.env.X7_LOG_LEVEL ? config.logLevel : 'warn';
}
