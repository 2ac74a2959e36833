// The `x7` command line: one dispatcher, one module per command in ./commands.
// Commands are loaded lazily so that `x7 tail` does not pay for the processor's imports.
import { ConfigError } from '../config.js';
import { AccessRefusedError, StartupRefusedError } from '../pipeline/access-errors.js';
import { UsageError, type Command } from './command.js';

const COMMANDS: Record<string, () => Promise<Command>> = {
  'dev': async () => (await import('./commands/dev.js')).devCommand,
  'processor': async () => (await import('./commands/processor.js')).processorCommand,
  'bridge': async () => (await import('./commands/bridge.js')).bridgeCommand,
  'topics apply': async () => (await import('./commands/topics.js')).topicsApplyCommand,
  'schemas register': async () => (await import('./commands/schemas.js')).schemasRegisterCommand,
  'schemas check': async () => (await import('./commands/schemas.js')).schemasCheckCommand,
  'produce': async () => (await import('./commands/produce.js')).produceCommand,
  'tail': async () => (await import('./commands/tail.js')).tailCommand,
  'worker': async () => (await import('./commands/worker.js')).workerCommand,
  'llm serve': async () => (await import('./commands/llm.js')).llmServeCommand,
  'asyncapi': async () => (await import('./commands/asyncapi.js')).asyncapiCommand,
  'dlq inspect': async () => (await import('./commands/dlq.js')).dlqInspectCommand,
  'dlq replay': async () => (await import('./commands/dlq-replay.js')).dlqReplayCommand,
  'db migrate': async () => (await import('./commands/db.js')).dbMigrateCommand,
  'db seed': async () => (await import('./commands/db.js')).dbSeedCommand,
  'workflows list': async () => (await import('./commands/workflows.js')).workflowsListCommand,
  'workflows describe': async () => (await import('./commands/workflows.js')).workflowsDescribeCommand,
  'workflows metrics': async () => (await import('./commands/workflows.js')).workflowsMetricsCommand,
  'workflows cancel': async () => (await import('./commands/workflows.js')).workflowsCancelCommand,
  'nlu eval': async () => (await import('./commands/nlu.js')).nluEvalCommand,
  'nlu compile': async () => (await import('./commands/nlu.js')).nluCompileCommand,
};

function usage(): string {
  const lines = Object.keys(COMMANDS).map((name) => `  x7 ${name}`);
  return `usage: x7 <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nRun "x7 <command> --help" for a command's options.`;
}

/** Runs the CLI and returns the exit code; errors are printed for people, not as stacks. */
export async function runCli(argv: string[]): Promise<number> {
  const twoWords = argv.slice(0, 2).join(' ');
  const name = COMMANDS[twoWords] ? twoWords : argv[0];
  const load = name ? COMMANDS[name] : undefined;
  if (!load || argv[0] === '--help' || argv[0] === '-h') {
    const known = name === undefined || argv[0] === '--help' || argv[0] === '-h';
    process.stderr.write(known ? `${usage()}\n` : `x7: unknown command "${argv.join(' ')}"\n\n${usage()}\n`);
    return known ? 0 : 2;
  }
  const args = argv.slice(name!.split(' ').length);
  const command = await load();
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${command.help}\n`);
    return 0;
  }
  try {
    return await command.run(args);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`x7 ${name}: ${error.message}\n\n${command.help}\n`);
      return 2;
    }
    // A dependency refused us at start: a line each, naming it and the variables to check.
    if (error instanceof StartupRefusedError || error instanceof AccessRefusedError) {
      const lines = error instanceof StartupRefusedError ? error.lines : [error.message];
      for (const line of lines) process.stderr.write(`x7 ${name}: ${line}\n`);
      return 1;
    }
    if (error instanceof ConfigError) {
      process.stderr.write(`x7 ${name}: ${error.message}\n`);
      return 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`x7 ${name}: ${message}\n`);
    if (process.env.X7_DEBUG) console.error(error);
    return 1;
  }
}
