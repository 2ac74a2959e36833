// JSON logs for the services (pino). Every line about an event carries its
// conversationId and eventId; use `logger.child({ conversationId, eventId })`.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(name: string, level: string = process.env.X7_LOG_LEVEL ?? 'info'): Logger {
  return pino({ name, level, base: { service: name, pid: process.pid } });
}
