/** The protocol layer: RESP bytes in and out, with no I/O. */
export { Decoder, DEFAULT_DECODER_LIMITS } from './decoder';
export type { DecoderHandlers } from './decoder';
export { CommandEncoder, encodeCommand, checkArg } from './encoder';
export type { Arg, DecoderLimits } from './types';
