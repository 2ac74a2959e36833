// `x7 bridge`: the WebSocket bridge, until SIGTERM or SIGINT.
import { ConfigError, loadConfig } from '../../config.js';
import { createLogger } from '../../log.js';
import { checkAccess } from '../../app/startup-check.js';
import { bridgeConfigProblems, createBridge } from '../../bridge/server.js';
import { parseCommandArgs, type Command } from '../command.js';
import { runUntilStopped } from '../io.js';

export const bridgeCommand: Command = {
  help: [
    'usage: x7 bridge',
    '',
    'Serves WebSocket clients on ws://X7_BRIDGE_HOST:X7_BRIDGE_PORT/v1/stream (JWT auth):',
    'publishes their messages to chat.inbound and streams chat.outbound events of the',
    'conversations they subscribe to, with resume from a cursor. Also serves the chat page',
    'at /, /healthz and /readyz (status only); /metrics and /readyz with its detail are on',
    'X7_METRICS_HOST:X7_BRIDGE_METRICS_PORT (default 127.0.0.1:9466). Run several behind a',
    'load balancer: each one delivers every conversation. SIGTERM or SIGINT closes every',
    'connection with 1001 (clients reconnect elsewhere and resume) and exits 0.',
    '',
    'Configuration comes from the environment (see .env.example, "x7 bridge").',
  ].join('\n'),

  async run(args) {
    parseCommandArgs(args, { options: {}, allowPositionals: false });
    const config = loadConfig();
    const problems = bridgeConfigProblems(config);
    if (problems.length > 0) throw new ConfigError(problems);
    const logger = createLogger('x7-bridge', config.logLevel);
    if (config.devTokens) logger.warn('X7_DEV_TOKENS=1: anyone can sign in as any demo user (POST /dev/token); never in production');
    // Refused credentials or an untrusted certificate stop it here, with one line; a dependency that is down does not.
    await checkAccess(config, ['kafka', 'redis', 'postgres', 'registry'], { logger });

    return runUntilStopped('bridge (the chat.outbound consumer)', logger, (onFatal) => createBridge(config, logger, onFatal));
  },
};
