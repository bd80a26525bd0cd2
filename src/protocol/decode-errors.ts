/**
 * The ProtocolErrors the decoder throws, and the ReplyErrors it hands out as values. Messages
 * name the RESP type and show the offending bytes, so that a desync can be diagnosed from a log.
 */
import { ProtocolError, ReplyError } from '../errors';

/**
 * Error replies are values, not exceptions: the decoder's own call stack would tell nobody
 * anything, and capturing it costs more than decoding the reply. The layer that knows the
 * caller attaches the stack that matters.
 */
export function replyError(message: string): ReplyError {
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new ReplyError(message);
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

export function checkNotTls(first: number): void {
  // 0x16 starts a TLS handshake record, 0x15 a TLS alert: what a TLS-only port answers with.
  if (first === 0x16 || first === 0x15) {
    throw new ProtocolError(
      `the server's first byte is ${describeByte(first)}, which looks like a TLS record: ` +
        'the server probably expects TLS — connect with a rediss:// URL (or the tls option)',
      true,
    );
  }
}

export function typeName(type: number): string {
  return `'${String.fromCharCode(type)}'`;
}

export function badLength(type: number, length: number, max: number): ProtocolError {
  return new ProtocolError(
    length < 0
      ? `invalid RESP length ${length} after ${typeName(type)}`
      : `RESP ${typeName(type)} length ${length} exceeds the limit of ${max}`,
  );
}

export function badHeader(buf: Buffer, start: number, bad: number, what: string): ProtocolError {
  return new ProtocolError(
    `invalid RESP ${what} in ${quote(buf.toString('latin1', start, Math.min(bad + 1, start + 40)))}: ` +
      `unexpected byte ${describeByte(buf[bad])}`,
  );
}

export function missingLf(type: number): ProtocolError {
  return new ProtocolError(`RESP ${typeName(type)} line has a CR that is not followed by LF`);
}

export function missingBulkCrlf(type: number, length: number): ProtocolError {
  return new ProtocolError(`RESP ${typeName(type)} body of ${length} bytes is not followed by CRLF`);
}

export function lineTooLong(type: number, max: number): ProtocolError {
  return new ProtocolError(`RESP ${typeName(type)} line is longer than ${max} bytes`);
}

/** `0x41 ('A')`: the byte as hex, plus the character when it is printable ASCII. */
export function describeByte(byte: number): string {
  const hex = `0x${byte.toString(16).padStart(2, '0')}`;
  return byte >= 0x20 && byte < 0x7f ? `${hex} ('${String.fromCharCode(byte)}')` : hex;
}

/** Quotes a piece of a bad line for an error message, cut short so a huge line stays readable. */
export function quote(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}
