// The codec's public surface: import from here.
export { EventCodec, createCodec, loadReaderSchemas, type Decoded, type CodecOptions } from './codec.js';
export * from './errors.js';
export { frame, unframe, MAGIC_BYTE, HEADER_SIZE } from './wire.js';
export { parseSchema } from './avro.js';
