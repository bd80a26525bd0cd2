/** An argument of a Redis command as the encoder accepts it. */
export type Arg = string | number | bigint | Buffer | Uint8Array;

/** Limits that keep a hostile or broken server from hanging the client or exhausting memory. */
export interface DecoderLimits {
  /** Longest bulk string, bulk error or verbatim string accepted. Default 512 MiB (Redis' own limit). */
  maxBulkLength?: number;
  /** Longest line (simple string, error, number) accepted. Default 64 MiB. */
  maxLineLength?: number;
  /** Most elements an aggregate may announce. Default 2^32 - 1. */
  maxAggregateLength?: number;
  /** Deepest nesting of aggregates accepted. Default 64. */
  maxDepth?: number;
}
