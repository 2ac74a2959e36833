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

/** A long-running service as the CLI runs it: started, then stopped on a signal. */
export interface RunnableService {
  start(): Promise<unknown>;
  stop(): Promise<void>;
}

/**
 * Runs a service until SIGTERM or SIGINT (exit 0 after a graceful stop) or until it
 * reports a fatal error through the callback it is built with (stop, then exit 1).
 */
export async function runUntilStopped(
  name: string,
  logger: Logger,
  build: (onFatal: (error: Error) => void) => RunnableService,
): Promise<number> {
  let fatal: Error | undefined;
  let wake: () => void = () => undefined;
  const stopRequested = new Promise<string>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => resolve(signal);
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
    wake = () => resolve('fatal');
  });
  const service = build((error) => {
    fatal = error;
    wake();
  });
  await service.start();
  const reason = await stopRequested;
  logger.info({ reason }, 'stopping');
  await service.stop();
  if (fatal) {
    process.stderr.write(`x7 ${name}: stopped for good: ${fatal.message}\n`);
    return 1;
  }
  return 0;
}
