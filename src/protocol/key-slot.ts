// The hash slot of a key (Redis Cluster: CRC16-XMODEM of the key's utf8 bytes, or of its hash tag,
// modulo 16384). Pure: no I/O. Used by the cluster router and by shard-channel subscriptions.
//
// Written here rather than taken from cluster-key-slot, which hashes a key with an empty tag
// followed by another '}' (`foo{}{bar}`, `{}b}`) differently from the server (CLUSTER KEYSLOT,
// checked against Redis 7.0), and which builds a byte array for every string key. An ASCII key is
// hashed from its character codes; any other string from its utf8 bytes, as the encoder sends it.

/** CRC16-XMODEM (polynomial 0x1021), the hash of Redis Cluster's key slots. */
const CRC16 = new Uint16Array(256);
for (let i = 0; i < 256; i++) {
  let c = i << 8;
  for (let b = 0; b < 8; b++) c = c & 0x8000 ? (c << 1) ^ 0x1021 : c << 1;
  CRC16[i] = c & 0xffff;
}

/** The slot of one key (hash tags `{...}` honoured), over the key's utf8 bytes as the server sees them. */
export function keySlot(key: string | Uint8Array): number {
  if (typeof key !== 'string') return bytesSlot(key);
  // '{' and '}' are ASCII, and no byte of a multi-byte utf8 sequence is: the tag found among the
  // characters is the tag among the bytes.
  let start = 0;
  let end = key.length;
  const open = key.indexOf('{');
  if (open !== -1) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) {
      start = open + 1;
      end = close;
    }
  }
  let crc = 0;
  for (let i = start; i < end; i++) {
    const c = key.charCodeAt(i);
    if (c >= 0x80) return crc16(Buffer.from(key.slice(start, end), 'utf8'), 0, Infinity) & 0x3fff;
    crc = ((crc << 8) & 0xff00) ^ CRC16[((crc >> 8) ^ c) & 0xff];
  }
  return crc & 0x3fff;
}

function bytesSlot(key: Uint8Array): number {
  const open = key.indexOf(0x7b);
  if (open !== -1) {
    const close = key.indexOf(0x7d, open + 1);
    if (close > open + 1) return crc16(key, open + 1, close) & 0x3fff;
  }
  return crc16(key, 0, key.length) & 0x3fff;
}

function crc16(bytes: Uint8Array, from: number, to: number): number {
  const end = Math.min(to, bytes.length);
  let crc = 0;
  for (let i = from; i < end; i++) crc = ((crc << 8) & 0xff00) ^ CRC16[((crc >> 8) ^ bytes[i]) & 0xff];
  return crc;
}
