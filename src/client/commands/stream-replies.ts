/**
 * The typed values of stream replies, and the conversions from both protocols' shapes. Stream
 * entries are [id, [field, value, ...]] in RESP2 and RESP3 alike (the fields stay a flat array);
 * what differs is XREAD's outer shape (a map of stream name -> entries in RESP3, an array of
 * [name, entries] pairs in RESP2) and XINFO's objects (maps in RESP3, flat arrays in RESP2).
 */
import { camelCase, setOwn, toNullableNumber, toNumber, toObject } from './reply';

/** One stream entry. */
export type StreamMessage = { id: string; fields: Record<string, string> };

/**
 * An entry read by XREADGROUP. Reading a consumer's own pending entries (an id other than '>')
 * gives `fields: null` for entries deleted since they were delivered.
 */
export type PendingStreamMessage = { id: string; fields: Record<string, string> | null };

/** The entries XREAD returned for one stream. */
export type StreamMessages = { name: string; messages: StreamMessage[] };
/** The entries XREADGROUP returned for one stream. */
export type PendingStreamMessages = { name: string; messages: PendingStreamMessage[] };

/** XAUTOCLAIM: where to continue ('0-0' when the scan is complete), the claimed entries, and ids found deleted. */
export type AutoClaimResult = { nextId: string; messages: StreamMessage[]; deleted: string[] };
/** XAUTOCLAIM ... JUSTID. */
export type AutoClaimJustIdResult = { nextId: string; ids: string[]; deleted: string[] };

/** XPENDING key group: the group's pending entries in summary. */
export type PendingSummary = {
  count: number;
  /** Smallest and greatest pending id, null when nothing is pending. */
  minId: string | null;
  maxId: string | null;
  /** Consumers with pending entries, and how many each has. */
  consumers: { name: string; count: number }[];
};

/** One entry of XPENDING key group start end count. */
export type PendingEntry = {
  id: string;
  consumer: string;
  /** Milliseconds since the entry was last delivered. */
  idle: number;
  /** How many times it was delivered. */
  deliveries: number;
};

/** XINFO STREAM key, with Redis' kebab-case names in camelCase. Fields newer servers add appear too. */
export type StreamInfo = {
  length: number;
  radixTreeKeys: number;
  radixTreeNodes: number;
  lastGeneratedId: string;
  /** Redis 7.0+. */
  maxDeletedEntryId?: string;
  /** Redis 7.0+. */
  entriesAdded?: number;
  /** Redis 7.0+. */
  recordedFirstEntryId?: string;
  groups: number;
  firstEntry: StreamMessage | null;
  lastEntry: StreamMessage | null;
};

/** One group of XINFO GROUPS key. */
export type StreamGroupInfo = {
  name: string;
  consumers: number;
  pending: number;
  lastDeliveredId: string;
  /** Redis 7.0+: the logical read counter, null when unknown. */
  entriesRead?: number | null;
  /** Redis 7.0+: entries not yet delivered to the group, null when it cannot be computed. */
  lag?: number | null;
};

/** One consumer of XINFO CONSUMERS key group. */
export type StreamConsumerInfo = {
  name: string;
  pending: number;
  /** Milliseconds since the consumer last interacted. */
  idle: number;
  /** Redis 7.2+: milliseconds since the last successful interaction (-1 if never). */
  inactive?: number;
};

/** [id, [f, v, ...]] -> {id, fields}; a deleted entry ([id, nil]) keeps fields: null. */
function toEntry(entry: unknown[]): PendingStreamMessage {
  return { id: entry[0] as string, fields: entry[1] === null ? null : toObject<string>(entry[1]) };
}

export function toMessages(reply: unknown): StreamMessage[] {
  return reply === null ? [] : ((reply as unknown[][]).map(toEntry) as StreamMessage[]);
}

/** XREAD / XREADGROUP: [{name, messages}] from a RESP3 map or RESP2 [name, entries] pairs; null stays null. */
export function toStreams(reply: unknown): StreamMessages[] | null {
  if (reply === null) return null;
  if (Array.isArray(reply)) {
    return (reply as unknown[][]).map((s) => ({ name: s[0] as string, messages: toMessages(s[1]) }));
  }
  const map = reply as Record<string, unknown>;
  return Object.keys(map).map((name) => {
    const messages = toMessages(map[name]);
    // RESP3 map keys are always strings: in the buffers view, make the name a Buffer like the rest.
    const first = messages[0]?.id as unknown;
    return { name: (Buffer.isBuffer(first) ? Buffer.from(name) : name) as string, messages };
  });
}

export function toAutoClaim(reply: unknown[]): AutoClaimResult {
  return { nextId: reply[0] as string, messages: toMessages(reply[1]), deleted: (reply[2] ?? []) as string[] };
}

export function toAutoClaimJustId(reply: unknown[]): AutoClaimJustIdResult {
  return { nextId: reply[0] as string, ids: reply[1] as string[], deleted: (reply[2] ?? []) as string[] };
}

export function toPendingSummary(reply: unknown[]): PendingSummary {
  const consumers = (reply[3] ?? []) as unknown[][];
  return {
    count: toNumber(reply[0]),
    minId: reply[1] as string | null,
    maxId: reply[2] as string | null,
    consumers: consumers.map((c) => ({ name: c[0] as string, count: toNumber(c[1]) })),
  };
}

export function toPendingEntries(reply: unknown[][]): PendingEntry[] {
  return reply.map((e) => ({
    id: e[0] as string,
    consumer: e[1] as string,
    idle: toNumber(e[2]),
    deliveries: toNumber(e[3]),
  }));
}

/** A RESP3 map or RESP2 flat array as an object with camelCase keys; `entries` names values that are stream entries. */
function toInfoObject<T>(reply: unknown, entries: readonly string[] = []): T {
  const raw = toObject<unknown>(reply);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(raw)) {
    const value = raw[key];
    const converted = entries.includes(key) ? (value === null ? null : toEntry(value as unknown[])) : value;
    setOwn(out, camelCase(key), converted);
  }
  return out as T;
}

export function toStreamInfo(reply: unknown): StreamInfo {
  return toInfoObject<StreamInfo>(reply, ['first-entry', 'last-entry']);
}

export function toGroupInfos(reply: unknown[]): StreamGroupInfo[] {
  return reply.map((g) => {
    const info = toInfoObject<StreamGroupInfo>(g);
    if (info.entriesRead !== undefined) info.entriesRead = toNullableNumber(info.entriesRead);
    if (info.lag !== undefined) info.lag = toNullableNumber(info.lag);
    return info;
  });
}

export function toConsumerInfos(reply: unknown[]): StreamConsumerInfo[] {
  return reply.map((c) => toInfoObject<StreamConsumerInfo>(c));
}
