// The variables of secure connections to managed services (Kafka, the schema registry,
// Redis, Temporal), read and checked by loadConfig (config.ts) with the rest.
//
// Certificate and key files are read here, at start: a file that cannot be read is a
// configuration problem naming its variable, not a TLS error minutes later. Secrets
// (passwords, API keys, private keys) never appear in a problem line: a problem names
// the variable, and at most a file's path.
import { readFileSync } from 'node:fs';

export const KAFKA_SECURITY_PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_SSL', 'SASL_PLAINTEXT'] as const;
export type KafkaSecurityProtocol = (typeof KAFKA_SECURITY_PROTOCOLS)[number];
export const KAFKA_SASL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;
export type KafkaSaslMechanism = (typeof KAFKA_SASL_MECHANISMS)[number];

/** PEM text of the files named by the *_FILE / *_PATH variables; null: not set. */
export interface TlsFiles {
  ca: string | null;
  cert: string | null;
  key: string | null;
}

export interface KafkaSecurity {
  protocol: KafkaSecurityProtocol;
  /** Set exactly with SASL_SSL and SASL_PLAINTEXT. */
  sasl: { mechanism: KafkaSaslMechanism; username: string; password: string } | null;
  /** Set exactly with SSL and SASL_SSL (the CA null: Node's CA store). */
  tls: TlsFiles | null;
}

export interface BasicAuth {
  username: string;
  password: string;
}

export interface TemporalTls {
  /** PEM of TEMPORAL_TLS_SERVER_CA_CERT_PATH; null: the system's roots. */
  serverCa: string | null;
  /** PEM of TEMPORAL_TLS_CLIENT_CERT_PATH and _KEY_PATH (mTLS), both or neither. */
  clientCert: string | null;
  clientKey: string | null;
  /** TEMPORAL_TLS_SERVER_NAME: the name the server's certificate must carry (and SNI). */
  serverName: string | null;
}

export interface SecureSettings {
  kafkaSecurity: KafkaSecurity;
  /** SCHEMA_REGISTRY_URL without credentials (they move to schemaRegistryAuth). */
  schemaRegistryUrl: string;
  schemaRegistryAuth: BasicAuth | null;
  schemaRegistryCa: string | null;
  redisCa: string | null;
  /** null: plain-text gRPC (the local dev server). */
  temporalTls: TemporalTls | null;
  temporalApiKey: string | null;
}

type Env = Record<string, string | undefined>;
export type ReadFile = (path: string) => string;

const readUtf8: ReadFile = (path) => readFileSync(path, 'utf8');

/**
 * Reads the secure-connection variables; every problem is pushed onto `problems`, one
 * line each. `registryUrl` is SCHEMA_REGISTRY_URL as config.ts read it (already checked
 * to be an http(s) URL, or reported).
 */
export function readSecureSettings(env: Env, problems: string[], urls: { registryUrl: string; redisUrl: string }, readFile: ReadFile = readUtf8): SecureSettings {
  const raw = (name: string): string | null => {
    const value = env[name]?.trim();
    return value ? value : null;
  };
  const pem = (name: string, kind: 'certificate' | 'key'): string | null => {
    const path = raw(name);
    if (path === null) return null;
    let text: string;
    try {
      text = readFile(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      problems.push(`${name}=${JSON.stringify(path)} cannot be read${code ? ` (${code})` : ''}`);
      return null;
    }
    if (kind === 'certificate' && !text.includes('-----BEGIN CERTIFICATE-----')) {
      problems.push(`${name}=${JSON.stringify(path)} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
      return null;
    }
    if (kind === 'key') {
      if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(text)) {
        problems.push(`${name}=${JSON.stringify(path)} is an encrypted key: give the key without a passphrase (e.g. openssl pkey -in key.pem -out plain.pem)`);
        return null;
      }
      if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) {
        problems.push(`${name}=${JSON.stringify(path)} holds no PEM private key (-----BEGIN PRIVATE KEY-----)`);
        return null;
      }
    }
    return text;
  };
  const together = (certName: string, keyName: string): void => {
    if ((raw(certName) === null) !== (raw(keyName) === null)) {
      problems.push(`${certName} and ${keyName} go together (a client certificate and its key): set both or neither`);
    }
  };

  // --- Kafka ---
  const protocolText = (raw('KAFKA_SECURITY_PROTOCOL') ?? 'PLAINTEXT').toUpperCase();
  let protocol: KafkaSecurityProtocol = 'PLAINTEXT';
  if ((KAFKA_SECURITY_PROTOCOLS as readonly string[]).includes(protocolText)) protocol = protocolText as KafkaSecurityProtocol;
  else problems.push(`KAFKA_SECURITY_PROTOCOL=${JSON.stringify(raw('KAFKA_SECURITY_PROTOCOL'))} is not valid: expected one of ${KAFKA_SECURITY_PROTOCOLS.join(', ')}`);
  const usesSasl = protocol === 'SASL_SSL' || protocol === 'SASL_PLAINTEXT';
  const usesTls = protocol === 'SSL' || protocol === 'SASL_SSL';
  let sasl: KafkaSecurity['sasl'] = null;
  const saslNames = ['KAFKA_SASL_MECHANISM', 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'];
  if (usesSasl) {
    const mechanismText = raw('KAFKA_SASL_MECHANISM')?.toUpperCase() ?? null;
    const username = raw('KAFKA_SASL_USERNAME');
    // A password is taken as written: leading or trailing spaces may be part of it.
    const password = env.KAFKA_SASL_PASSWORD ?? '';
    if (mechanismText === null) {
      problems.push(`KAFKA_SASL_MECHANISM is required with KAFKA_SECURITY_PROTOCOL=${protocol}: one of ${KAFKA_SASL_MECHANISMS.join(', ')}`);
    } else if (!(KAFKA_SASL_MECHANISMS as readonly string[]).includes(mechanismText)) {
      problems.push(`KAFKA_SASL_MECHANISM=${JSON.stringify(raw('KAFKA_SASL_MECHANISM'))} is not valid: expected one of ${KAFKA_SASL_MECHANISMS.join(', ')}`);
    }
    if (username === null) problems.push(`KAFKA_SASL_USERNAME is required with KAFKA_SECURITY_PROTOCOL=${protocol}`);
    if (password === '') problems.push(`KAFKA_SASL_PASSWORD is required with KAFKA_SECURITY_PROTOCOL=${protocol}`);
    if (mechanismText && (KAFKA_SASL_MECHANISMS as readonly string[]).includes(mechanismText) && username !== null && password !== '') {
      sasl = { mechanism: mechanismText as KafkaSaslMechanism, username, password };
    }
  } else {
    const set = saslNames.filter((name) => raw(name) !== null);
    if (set.length > 0) {
      problems.push(`${set.join(', ')} need${set.length > 1 ? '' : 's'} KAFKA_SECURITY_PROTOCOL=SASL_SSL or SASL_PLAINTEXT (it is ${protocol})`);
    }
  }
  let kafkaTls: TlsFiles | null = null;
  const kafkaFiles = ['KAFKA_SSL_CA_FILE', 'KAFKA_SSL_CERT_FILE', 'KAFKA_SSL_KEY_FILE'];
  if (usesTls) {
    together('KAFKA_SSL_CERT_FILE', 'KAFKA_SSL_KEY_FILE');
    kafkaTls = { ca: pem('KAFKA_SSL_CA_FILE', 'certificate'), cert: pem('KAFKA_SSL_CERT_FILE', 'certificate'), key: pem('KAFKA_SSL_KEY_FILE', 'key') };
  } else {
    const set = kafkaFiles.filter((name) => raw(name) !== null);
    if (set.length > 0) problems.push(`${set.join(', ')} need${set.length > 1 ? '' : 's'} KAFKA_SECURITY_PROTOCOL=SSL or SASL_SSL (it is ${protocol})`);
  }

  // --- Schema registry ---
  let registryUrl = urls.registryUrl;
  let schemaRegistryAuth: BasicAuth | null = null;
  let isHttps = false;
  try {
    const url = new URL(urls.registryUrl);
    isHttps = url.protocol === 'https:';
    // Credentials in the URL (Confluent's basic.auth.credentials.source=URL) are taken
    // out of it, so the URL that messages and logs show carries none.
    if (url.username || url.password) {
      schemaRegistryAuth = { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
      url.username = '';
      url.password = '';
      registryUrl = url.toString().replace(/\/+$/, '');
    }
  } catch {
    // config.ts reported the URL already.
  }
  const basicAuth = env.SCHEMA_REGISTRY_BASIC_AUTH;
  if (basicAuth !== undefined && basicAuth.trim() !== '') {
    const colon = basicAuth.indexOf(':');
    if (colon <= 0) {
      problems.push('SCHEMA_REGISTRY_BASIC_AUTH is not valid: expected user:password (Confluent\'s basic.auth.user.info)');
    } else if (schemaRegistryAuth !== null) {
      problems.push('SCHEMA_REGISTRY_BASIC_AUTH and credentials in SCHEMA_REGISTRY_URL: give them once, in one of the two');
    } else {
      schemaRegistryAuth = { username: basicAuth.slice(0, colon).trim(), password: basicAuth.slice(colon + 1) };
    }
  }
  let schemaRegistryCa: string | null = null;
  if (raw('SCHEMA_REGISTRY_CA_FILE') !== null) {
    if (isHttps) schemaRegistryCa = pem('SCHEMA_REGISTRY_CA_FILE', 'certificate');
    else problems.push('SCHEMA_REGISTRY_CA_FILE needs an https:// SCHEMA_REGISTRY_URL');
  }

  // --- Redis (user and password come in REDIS_URL, rediss:// for TLS) ---
  let redisCa: string | null = null;
  if (raw('REDIS_CA_FILE') !== null) {
    if (urls.redisUrl.startsWith('rediss://')) redisCa = pem('REDIS_CA_FILE', 'certificate');
    else problems.push('REDIS_CA_FILE needs a rediss:// REDIS_URL (TLS)');
  }

  // --- Temporal (the names Temporal's own CLI and SDKs read) ---
  const temporalNames = ['TEMPORAL_TLS_SERVER_CA_CERT_PATH', 'TEMPORAL_TLS_CLIENT_CERT_PATH', 'TEMPORAL_TLS_CLIENT_KEY_PATH', 'TEMPORAL_TLS_SERVER_NAME', 'TEMPORAL_API_KEY'];
  const implied = temporalNames.filter((name) => raw(name) !== null);
  const tlsText = raw('TEMPORAL_TLS')?.toLowerCase() ?? null;
  let tlsFlag: boolean | null = null;
  if (tlsText !== null) {
    if (['1', 'true', 'yes', 'on'].includes(tlsText)) tlsFlag = true;
    else if (['0', 'false', 'no', 'off'].includes(tlsText)) tlsFlag = false;
    else problems.push(`TEMPORAL_TLS=${JSON.stringify(tlsText)} is not valid: expected 1 or 0 (true/false)`);
  }
  let temporalTls: TemporalTls | null = null;
  if (tlsFlag === false && implied.length > 0) {
    problems.push(`${implied.join(', ')} need${implied.length > 1 ? '' : 's'} TLS, but TEMPORAL_TLS=${tlsText}: remove TEMPORAL_TLS or set it to 1`);
  } else if (tlsFlag === true || implied.length > 0) {
    together('TEMPORAL_TLS_CLIENT_CERT_PATH', 'TEMPORAL_TLS_CLIENT_KEY_PATH');
    temporalTls = {
      serverCa: pem('TEMPORAL_TLS_SERVER_CA_CERT_PATH', 'certificate'),
      clientCert: pem('TEMPORAL_TLS_CLIENT_CERT_PATH', 'certificate'),
      clientKey: pem('TEMPORAL_TLS_CLIENT_KEY_PATH', 'key'),
      serverName: raw('TEMPORAL_TLS_SERVER_NAME'),
    };
  }
  const temporalApiKey = raw('TEMPORAL_API_KEY');

  return {
    kafkaSecurity: { protocol, sasl, tls: kafkaTls },
    schemaRegistryUrl: registryUrl,
    schemaRegistryAuth,
    schemaRegistryCa,
    redisCa,
    temporalTls,
    temporalApiKey,
  };
}
