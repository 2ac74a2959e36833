// One inbound record through the pipeline: decode (layers 1–2) → validate
// (layer 3) → the chat type's processor → encoded outputs.
//
// The result is either the records to produce or the DLQ record that replaces
// them; nothing is sent here, so the runtime can put the result and the input
// offset in one transaction. The only errors that escape are dependency failures:
// "retry this record later".
import type { IHeaders } from 'kafkajs';
import { BadDataError } from '../codec/errors.js';
import type { EventCodec } from '../codec/index.js';
import type { Config } from '../config.js';
import type { ChatMessage } from '../events.js';
import { topicName } from '../kafka/topics.js';
import type { Logger } from '../log.js';
import type { ProcessorMetrics, Stage } from '../observability/metrics.js';
import { continueOrStart, formatTraceparent, traceLogFields, traceparentFromHeaders, TRACEPARENT_HEADER } from '../observability/trace.js';
import { buildDlqRecord, rejectionNotice, type SourceRecord } from '../pipeline/dlq.js';
import { describeError, isDependencyFailure } from '../pipeline/errors.js';
import type { Clock, ProcessorRegistry } from '../pipeline/processor.js';
import { rejectionFromBadData, type Rejection } from '../pipeline/rejection.js';
import type { Validator } from '../pipeline/validation.js';

/** A record ready to send: physical topic, key and encoded value. */
export interface OutgoingRecord {
  topic: string;
  key: Buffer | string | null;
  value: Buffer | null;
  headers?: IHeaders;
}

export type RecordOutcome =
  | {
    kind: 'processed'; message: ChatMessage; outputs: OutgoingRecord[];
    /** The processor's outcome (ANSWERED, WORKFLOW_STARTED …). */
    outcome: string;
    traceId: string;
  }
  | {
    kind: 'rejected'; rejection: Rejection;
    /** The DLQ record, then the conversation's ErrorNotice when the event decoded. */
    outputs: OutgoingRecord[];
    /** The event's chat type, UNKNOWN when it could not be decoded. */
    chatType: string;
    traceId: string;
  };

export interface RecordHandlerDeps {
  config: Pick<Config, 'topicPrefix' | 'maxTextBytes'>;
  codec: Pick<EventCodec, 'decode' | 'encode'>;
  processors: ProcessorRegistry;
  validate: Validator;
  clock: Clock;
  logger: Logger;
  /** Stage latencies go to its x7_stage_duration_seconds. */
  metrics?: Pick<ProcessorMetrics, 'observeStage'>;
  /** The largest record an output topic takes (topics.yaml's maxMessageBytes), by logical name. */
  maxRecordBytes?: (logicalTopic: string) => number;
}

// What a record carries besides key, value and headers (lengths, offsets, attributes):
// an output must fit the topic's limit with this to spare.
const RECORD_OVERHEAD_BYTES = 512;

/** An output the topic would refuse (MESSAGE_TOO_LARGE): about this event, not an outage. */
export class OutputTooLargeError extends Error {
  override name = 'OutputTooLargeError';
}

export type RecordHandler = (source: SourceRecord) => Promise<RecordOutcome>;

export function createRecordHandler(deps: RecordHandlerDeps): RecordHandler {
  const dlqTopic = topicName(deps.config, 'chat.inbound.dlq');

  const outboundTopic = topicName(deps.config, 'chat.outbound');

  // A decoded event is someone's message: besides its DLQ copy, its conversation gets an
  // ErrorNotice in the same transaction. An undecodable one (wire format, unknown
  // schema) names no one, so it gets none.
  const reject = async (
    source: SourceRecord, rejection: Rejection, logger: Logger, message: ChatMessage | undefined, traceparent: string, traceId: string,
  ): Promise<RecordOutcome> => {
    logger.warn({ code: rejection.code, field: rejection.field, reason: rejection.message }, 'rejected inbound event to the DLQ');
    const failedAt = new Date(deps.clock.now());
    // The DLQ record keeps the event's own headers (its traceparent, if it had one) byte for byte.
    const outputs: OutgoingRecord[] = [{ topic: dlqTopic, ...buildDlqRecord(source, rejection, failedAt) }];
    const notice = message ? rejectionNotice(source, message, rejection, failedAt, deps.config) : null;
    if (notice) {
      try {
        const value = await deps.codec.encode('chat.outbound', notice);
        outputs.push({ topic: outboundTopic, key: notice.conversationId, value, headers: { [TRACEPARENT_HEADER]: traceparent } });
      } catch (error) {
        if (isDependencyFailure(error)) throw error;
        // The DLQ copy is what must not be lost; a notice its schema refuses is only logged.
        logger.error({ err: error }, 'could not encode the error notice for a rejected event; dead-lettering it without one');
      }
    }
    return { kind: 'rejected', rejection, outputs, chatType: message?.chatType ?? 'UNKNOWN', traceId };
  };
  const observe = (stage: Stage, ms: number) => deps.metrics?.observeStage(stage, ms / 1000);

  return async (source) => {
    const coordinates = { topic: source.topic, partition: source.partition, offset: source.offset };
    // This record's span: a child of the traceparent it came with, or a new trace.
    // Every record it causes carries it as their parent.
    const span = continueOrStart(traceparentFromHeaders(source.headers));
    const traceparent = formatTraceparent(span);
    const sourceLogger = deps.logger.child({ ...coordinates, ...traceLogFields(span) });
    const stageLatenciesMs: Record<string, number> = {};

    // One classification for everything about this record: a dependency that is down
    // is retried (the error escapes, the partition waits); anything else about the
    // record (bad bytes, a rule or lookup it breaks, a processor bug, an output its
    // schema refuses) sends it to the DLQ with the reason, so no record stalls a partition.
    let message: ChatMessage | undefined;
    let logger = sourceLogger;
    try {
      let started = performance.now();
      try {
        message = (await deps.codec.decode('chat.inbound', source.value)).value;
      } catch (error) {
        if (error instanceof BadDataError) return await reject(source, rejectionFromBadData(error), sourceLogger, undefined, traceparent, span.traceId);
        throw error;
      }
      stageLatenciesMs.decode = performance.now() - started;
      observe('decode', stageLatenciesMs.decode);

      logger = sourceLogger.child({ conversationId: message.conversationId, eventId: message.eventId });
      started = performance.now();
      const rejection = await deps.validate(message);
      if (rejection) return await reject(source, rejection, logger, message, traceparent, span.traceId);
      stageLatenciesMs.validate = performance.now() - started;
      observe('validate', stageLatenciesMs.validate);

      const produced = await deps.processors.get(message.chatType).process(message, {
        logger,
        source: coordinates,
        clock: deps.clock,
        stageLatenciesMs,
        traceparent,
        observeStage: observe,
      });
      const outputs: OutgoingRecord[] = [];
      for (const output of produced.outputs) {
        const value = await deps.codec.encode(output.topic, output.value);
        const limit = deps.maxRecordBytes?.(output.topic);
        const size = value.length + Buffer.byteLength(output.key) + traceparent.length + TRACEPARENT_HEADER.length + RECORD_OVERHEAD_BYTES;
        if (limit !== undefined && size > limit) {
          throw new OutputTooLargeError(`an output to ${output.topic} is ${size} bytes; the topic takes at most ${limit}`);
        }
        outputs.push({ topic: topicName(deps.config, output.topic), key: output.key, value, headers: { [TRACEPARENT_HEADER]: traceparent } });
      }
      return { kind: 'processed', message, outputs, outcome: produced.outcome, traceId: span.traceId };
    } catch (error) {
      if (isDependencyFailure(error)) throw error;
      // It would fail the same way again: dead-letter it with the reason so an operator
      // can replay it after the fix, rather than block every later record behind it.
      logger.error({ err: error }, 'failed on the event; dead-lettering it');
      return await reject(source, { code: 'PROCESSING_ERROR', field: null, message: describeError(error) }, logger, message, traceparent, span.traceId);
    }
  };
}
