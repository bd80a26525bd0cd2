// The hash slot of a key (Redis Cluster: CRC16-XMODEM of the key's utf8 bytes, or of its hash tag,
// modulo 16384). Pure: no I/O. Used by the cluster router and by shard-channel subscriptions.
//
// Written here rather than taken from cluster-key-slot, which hashes a key with an empty tag
// followed by another '}' (`foo{}{bar}`, `{}b}`) differently from the server (CLUSTER KEYSLOT,
// checked against Redis 7.0), and which builds a byte array for every string key. An ASCII key is
// hashed from its character codes; any other string from its utf8 bytes, as the encoder sends it.
//
// It runs for every key of every cluster command, so an ASCII key is read once, two characters a
// step: the step's two table lookups do not wait for each other (CRC16 is linear, so the first
// character's effect on the second lookup is folded into PAIR), which halves the chain of
// dependent loads that bounds a byte-at-a-time CRC.

/** CRC16-XMODEM (polynomial 0x1021), the hash of Redis Cluster's key slots: one byte a step. */
const CRC16 = new Uint16Array(256);
for (let i = 0; i < 256; i++) {
  let c = i << 8;
  for (let b = 0; b < 8; b++) c = c & 0x8000 ? (c << 1) ^ 0x1021 : c << 1;
  CRC16[i] = c & 0xffff;
}

/**
 * Two bytes a step: crc after bytes a, b = PAIR[(crc >> 8) ^ a] ^ CRC16[(crc & 0xff) ^ b], where
 * PAIR[x] = ((CRC16[x] & 0xff) << 8) ^ CRC16[CRC16[x] >> 8].
 */
const PAIR = new Uint16Array(256);
for (let x = 0; x < 256; x++) PAIR[x] = ((CRC16[x] & 0xff) << 8) ^ CRC16[CRC16[x] >> 8];

const OPEN = 0x7b; // '{'
const CLOSE = 0x7d; // '}'

/** The slot of one key (hash tags `{...}` honoured), over the key's utf8 bytes as the server sees them. */
export function keySlot(key: string | Uint8Array): number {
  if (typeof key !== 'string') return bytesSlot(key);
  // '{' and '}' are ASCII, and no byte of a multi-byte utf8 sequence is: the tag found among the
  // characters is the tag among the bytes. A non-ASCII character sends the key to its bytes.
  const n = key.length;
  let crc = 0;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const a = key.charCodeAt(i);
    const b = key.charCodeAt(i + 1);
    if (a === OPEN || b === OPEN || (a | b) >= 0x80) break;
    crc = PAIR[(crc >> 8) ^ a] ^ CRC16[(crc & 0xff) ^ b];
  }
  for (; i < n; i++) {
    const c = key.charCodeAt(i);
    if (c === OPEN) return tagSlot(key, i, crc);
    if (c >= 0x80) return utf8Slot(key);
    crc = ((crc << 8) & 0xff00) ^ CRC16[(crc >> 8) ^ c];
  }
  return crc & 0x3fff;
}

/**
 * The slot of a key whose first '{' is at `open` (`crc`: the hash of the characters before it):
 * its tag's, when a '}' closes a non-empty one, else the whole key's.
 */
function tagSlot(key: string, open: number, crc: number): number {
  const n = key.length;
  let tag = 0;
  let j = open + 1;
  for (; j + 1 < n; j += 2) {
    const a = key.charCodeAt(j);
    const b = key.charCodeAt(j + 1);
    if (a === CLOSE || b === CLOSE || (a | b) >= 0x80) break;
    tag = PAIR[(tag >> 8) ^ a] ^ CRC16[(tag & 0xff) ^ b];
  }
  for (; j < n; j++) {
    const c = key.charCodeAt(j);
    if (c === CLOSE) {
      if (j > open + 1) return tag & 0x3fff;
      break;
    }
    if (c >= 0x80) return utf8Slot(key);
    tag = ((tag << 8) & 0xff00) ^ CRC16[(tag >> 8) ^ c];
  }
  // No tag ('{' never closed, or '{}'): the whole key, from the '{' on.
  for (let i = open; i < n; i++) {
    const c = key.charCodeAt(i);
    if (c >= 0x80) return utf8Slot(key);
    crc = ((crc << 8) & 0xff00) ^ CRC16[(crc >> 8) ^ c];
  }
  return crc & 0x3fff;
}

/** A key with a non-ASCII character: its utf8 bytes, as the encoder sends them. */
function utf8Slot(key: string): number {
  return bytesSlot(Buffer.from(key, 'utf8'));
}

function bytesSlot(key: Uint8Array): number {
  const open = key.indexOf(OPEN);
  if (open !== -1) {
    const close = key.indexOf(CLOSE, open + 1);
    if (close > open + 1) return crc16(key, open + 1, close) & 0x3fff;
  }
  return crc16(key, 0, key.length) & 0x3fff;
}

function crc16(bytes: Uint8Array, from: number, to: number): number {
  let crc = 0;
  for (let i = from; i < to; i++) crc = ((crc << 8) & 0xff00) ^ CRC16[((crc >> 8) ^ bytes[i]) & 0xff];
  return crc;
}
