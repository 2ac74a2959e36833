// The one place a kafkajs client is made: brokers and client id from the
// configuration, kafkajs's own log lines as pino JSON (src/log.ts).
//
// Producers must be created with `createPartitioner: JAVA_COMPATIBLE_PARTITIONER`
// (partitioner.ts): it hashes keys with murmur2 like Java's default partitioner, so a
// conversationId lands on the same partition whichever client wrote it; naming it also
// silences kafkajs's partitioner warning.
import kafkajs, { type Kafka as KafkaClient, type KafkaConfig, type LogEntry, type logCreator } from 'kafkajs';
import type { Config } from '../config.js';
import type { KafkaSecurity } from '../secure-config.js';
import { createLogger, type Logger } from '../log.js';
import { createJavaCompatiblePartitioner } from './partitioner.js';

// kafkajs is CommonJS without named exports Node can see: take them from the default.
const { Kafka, logLevel: KafkaLogLevel } = kafkajs;
type KafkaLogLevel = kafkajs.logLevel;

/** kafkajs's DefaultPartitioner's partitions, in time linear in the key (partitioner.ts says why). */
export const JAVA_COMPATIBLE_PARTITIONER = createJavaCompatiblePartitioner;

/**
 * Consumer group timing of every long-lived x7 consumer (processor, bridge). kafkajs's
 * defaults (30 s session, 60 s rebalance) let a `kill -9`ed member hold its partitions,
 * and every other member's during the rebalance that waits for it, for 30-60 s; chained
 * kills measured 61 s in `npm run chaos`. A 6 s session (the broker's default
 * group.min.session.timeout.ms, the shortest it accepts) with a heartbeat every second
 * finds a dead member in about 6 s; a 10 s rebalance timeout bounds how long a rebalance
 * waits for a member that is alive but slow to rejoin. Our batches check isStale() per
 * record and stop at once, so a live member rejoins well within it. The cost is one
 * heartbeat a second per member, and a member whose event loop is blocked for 6 s loses
 * its partitions (it rejoins; its transaction is fenced, nothing is duplicated).
 */
export const GROUP_TIMING = { sessionTimeout: 6_000, heartbeatInterval: 1_000, rebalanceTimeout: 10_000 } as const;

const TO_KAFKAJS_LEVEL: Record<Config['logLevel'], KafkaLogLevel> = {
  fatal: KafkaLogLevel.ERROR,
  error: KafkaLogLevel.ERROR,
  warn: KafkaLogLevel.WARN,
  info: KafkaLogLevel.INFO,
  debug: KafkaLogLevel.DEBUG,
  trace: KafkaLogLevel.DEBUG,
  silent: KafkaLogLevel.NOTHING,
};

/** kafkajs log entries → pino, keeping kafkajs's fields (broker, groupId, …) as JSON. */
export function pinoLogCreator(logger: Logger): logCreator {
  return () => ({ namespace, level, log }: LogEntry) => {
    const { message, timestamp: _timestamp, logger: _logger, ...fields } = log;
    const child = { kafkajs: namespace, ...fields };
    switch (level) {
      case KafkaLogLevel.ERROR:
        logger.error(child, message);
        break;
      case KafkaLogLevel.WARN:
        logger.warn(child, message);
        break;
      case KafkaLogLevel.INFO:
        logger.info(child, message);
        break;
      default:
        logger.debug(child, message);
    }
  };
}

/**
 * kafkajs's `ssl` and `sasl` for KAFKA_SECURITY_PROTOCOL and its companions: nothing for
 * PLAINTEXT (as before), TLS for SSL and SASL_SSL (`true`: Node's CA store, else the CA
 * and client certificate read at start), SASL for SASL_SSL and SASL_PLAINTEXT.
 */
export function kafkaSecurityOptions(security: KafkaSecurity | undefined): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const options: Pick<KafkaConfig, 'ssl' | 'sasl'> = {};
  if (security?.tls) {
    const { ca, cert, key } = security.tls;
    options.ssl = ca || cert || key ? { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) } : true;
  }
  if (security?.sasl) {
    const { username, password } = security.sasl;
    const mechanism = security.sasl.mechanism;
    options.sasl = mechanism === 'PLAIN'
      ? { mechanism: 'plain', username, password }
      : mechanism === 'SCRAM-SHA-256' ? { mechanism: 'scram-sha-256', username, password } : { mechanism: 'scram-sha-512', username, password };
  }
  return options;
}

/**
 * A kafkajs client for this configuration. `clientIdSuffix` tells processes apart
 * in broker logs and quotas (e.g. "processor", "tail").
 */
export function createKafka(
  config: Pick<Config, 'kafkaBrokers' | 'kafkaClientId' | 'kafkaSecurity' | 'logLevel'>,
  clientIdSuffix?: string,
  logger?: Logger,
  /** Client-wide retry: only for a one-off client (the start-up check), see below. */
  extra: Pick<KafkaConfig, 'retry'> = {},
): KafkaClient {
  const clientId = clientIdSuffix ? `${config.kafkaClientId}-${clientIdSuffix}` : config.kafkaClientId;
  return new Kafka({
    clientId,
    brokers: config.kafkaBrokers,
    ...kafkaSecurityOptions(config.kafkaSecurity),
    logLevel: TO_KAFKAJS_LEVEL[config.logLevel],
    logCreator: pinoLogCreator(logger ?? createLogger('kafkajs', config.logLevel)),
    // Fail a connection attempt quickly; kafkajs retries with backoff on its own.
    // No client-wide `retry`: kafkajs would hand it to idempotent producers, which then
    // warn that limited retries may break exactly-once.
    connectionTimeout: 3_000,
    ...extra,
  });
}
