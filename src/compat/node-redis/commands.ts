/**
 * node-redis' command methods, as data: the camelCase names (v5, which keeps v4's), what each
 * sends, and the few argument forms and reply shapes that differ from the plain RESP2 command.
 *
 * A method name is the command's name with its words capitalised (`hGetAll`, `pTTL`,
 * `zRangeByScore`); a container command's subcommand follows (`configGet` is CONFIG GET,
 * `xGroupCreate` is XGROUP CREATE). Arguments are flattened (node-redis takes arrays for variadic
 * arguments: `del([a, b])`), and the reply is what the server sent on RESP2, which is what
 * node-redis v5 returns for most commands; `REPLIES` lists the ones it reshapes.
 */
import { InvalidArgumentError } from '../../errors';
import type { Arg } from '../../protocol/types';

/** The container commands whose subcommand is part of the method name. */
const CONTAINERS = [
  'CLIENT',
  'CONFIG',
  'SCRIPT',
  'CLUSTER',
  'OBJECT',
  'MEMORY',
  'XGROUP',
  'XINFO',
  'FUNCTION',
  'ACL',
  'COMMAND',
  'PUBSUB',
  'SLOWLOG',
  'LATENCY',
  'MODULE',
];

/** The camelCase methods (node-redis v5 names). Anything else: `sendCommand([...])` or the UPPERCASE alias. */
export const METHODS = [
  'get',
  'set',
  'setNX',
  'setEx',
  'pSetEx',
  'getSet',
  'getDel',
  'getEx',
  'getRange',
  'setRange',
  'mGet',
  'mSet',
  'mSetNX',
  'append',
  'strLen',
  'incr',
  'incrBy',
  'incrByFloat',
  'decr',
  'decrBy',
  'lcs',
  'del',
  'unlink',
  'exists',
  'expire',
  'pExpire',
  'expireAt',
  'pExpireAt',
  'expireTime',
  'pExpireTime',
  'ttl',
  'pTTL',
  'persist',
  'type',
  'rename',
  'renameNX',
  'keys',
  'scan',
  'randomKey',
  'touch',
  'copy',
  'move',
  'dump',
  'restore',
  'hSet',
  'hSetNX',
  'hGet',
  'hGetAll',
  'hDel',
  'hExists',
  'hIncrBy',
  'hIncrByFloat',
  'hKeys',
  'hVals',
  'hLen',
  'hmGet',
  'hStrLen',
  'hRandField',
  'hScan',
  'lPush',
  'lPushX',
  'rPush',
  'rPushX',
  'lPop',
  'rPop',
  'lRange',
  'lLen',
  'lRem',
  'lTrim',
  'lIndex',
  'lSet',
  'lInsert',
  'lPos',
  'lMove',
  'blPop',
  'brPop',
  'blMove',
  'brPopLPush',
  'rPopLPush',
  'sAdd',
  'sRem',
  'sMembers',
  'sIsMember',
  'smIsMember',
  'sCard',
  'sPop',
  'sRandMember',
  'sMove',
  'sInter',
  'sInterStore',
  'sInterCard',
  'sUnion',
  'sUnionStore',
  'sDiff',
  'sDiffStore',
  'sScan',
  'zAdd',
  'zRem',
  'zScore',
  'zmScore',
  'zIncrBy',
  'zCard',
  'zCount',
  'zRank',
  'zRevRank',
  'zRange',
  'zRangeWithScores',
  'zRangeByScore',
  'zRangeByScoreWithScores',
  'zRevRange',
  'zRemRangeByScore',
  'zRemRangeByRank',
  'zRemRangeByLex',
  'zLexCount',
  'zPopMin',
  'zPopMax',
  'zRandMember',
  'zScan',
  'zUnionStore',
  'zInterStore',
  'xAdd',
  'xLen',
  'xRange',
  'xRevRange',
  'xDel',
  'xTrim',
  'xAck',
  'xGroupCreate',
  'xGroupDestroy',
  'xGroupCreateConsumer',
  'xGroupDelConsumer',
  'xGroupSetId',
  'xInfoStream',
  'xInfoGroups',
  'xInfoConsumers',
  'xPending',
  'xClaim',
  'xAutoClaim',
  'pfAdd',
  'pfCount',
  'pfMerge',
  'setBit',
  'getBit',
  'bitCount',
  'bitPos',
  'bitOp',
  'geoAdd',
  'geoDist',
  'geoHash',
  'geoPos',
  'eval',
  'evalSha',
  'evalRo',
  'evalShaRo',
  'fCall',
  'fCallRo',
  'scriptLoad',
  'scriptExists',
  'scriptFlush',
  'functionLoad',
  'functionDelete',
  'functionFlush',
  'functionList',
  'publish',
  'sPublish',
  'pubSubChannels',
  'pubSubNumSub',
  'pubSubNumPat',
  'pubSubShardChannels',
  'pubSubShardNumSub',
  'ping',
  'echo',
  'info',
  'time',
  'dbSize',
  'flushDb',
  'flushAll',
  'select',
  'swapDb',
  'lastSave',
  'configGet',
  'configSet',
  'configResetStat',
  'clientSetName',
  'clientGetName',
  'clientId',
  'clientList',
  'clientInfo',
  'clientKill',
  'commandCount',
  'memoryUsage',
  'objectEncoding',
  'objectFreq',
  'objectIdleTime',
  'objectRefCount',
  'aclWhoAmI',
  'aclCat',
  'aclList',
  'aclUsers',
  'waitAof',
  'wait',
] as const;

/** A camelCase command method's name. */
export type NodeRedisMethod = (typeof METHODS)[number];

/** The command tokens a method sends: 'configGet' -> ['CONFIG', 'GET'], 'hGetAll' -> ['HGETALL']. */
export function commandOf(method: string): string[] {
  const upper = method.toUpperCase();
  for (const c of CONTAINERS) if (upper.length > c.length && upper.startsWith(c)) return [c, upper.slice(c.length)];
  return [upper];
}

/** A node-redis argument that is not a plain value: arrays are flattened, values pass, the rest is refused. */
export function flatten(method: string, args: readonly unknown[], out: Arg[] = []): Arg[] {
  for (const a of args) {
    if (typeof a === 'string' || typeof a === 'number' || Buffer.isBuffer(a)) out.push(a);
    else if (Array.isArray(a)) flatten(method, a, out);
    else if (typeof a === 'bigint') out.push(a.toString());
    else if (a === undefined)
      continue; // an optional argument left out
    else {
      throw new InvalidArgumentError(
        `${method}(): romaine/compat/node-redis does not translate an argument of this form (${a === null ? 'null' : typeof a}); send the command as sendCommand(['NAME', ...args]) (docs/compat-node-redis.md)`,
      );
    }
  }
  return out;
}

type Translate = (method: string, args: unknown[]) => Arg[];

function obj(v: unknown): Record<string, unknown> | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const proto: unknown = Object.getPrototypeOf(v);
  // Plain objects only: a Date, a class instance or an array is not an options object.
  return proto === Object.prototype || proto === null ? (v as Record<string, unknown>) : undefined;
}

/** Refuses option keys the facade does not know, so none is dropped silently. */
function known(method: string, o: Record<string, unknown>, keys: readonly string[]): void {
  const unknown = Object.keys(o).filter((k) => !keys.includes(k) && o[k] !== undefined);
  if (unknown.length > 0) {
    throw new InvalidArgumentError(
      `${method}(): unknown option ${unknown.map((k) => `'${k}'`).join(', ')} (known: ${keys.join(', ')})`,
    );
  }
}

/** SET's and GETEX's expiration: v5's { type, value } / 'KEEPTTL', v4's { EX: n } and friends. */
function expiration(method: string, o: Record<string, unknown>, out: Arg[], persist: boolean): void {
  const e = o.expiration;
  if (e === 'KEEPTTL') out.push('KEEPTTL');
  else if (obj(e) !== undefined) {
    const { type, value } = e as { type?: unknown; value?: unknown };
    if (type === 'KEEPTTL' || (persist && type === 'PERSIST')) out.push(type);
    else if (type === 'EX' || type === 'PX' || type === 'EXAT' || type === 'PXAT') {
      if (typeof value !== 'number') throw new InvalidArgumentError(`${method}(): expiration.value must be a number`);
      out.push(type, value);
    } else throw new InvalidArgumentError(`${method}(): expiration.type must be EX, PX, EXAT, PXAT or KEEPTTL`);
  } else if (e !== undefined)
    throw new InvalidArgumentError(`${method}(): expiration must be { type, value } or 'KEEPTTL'`);
  for (const k of ['EX', 'PX', 'EXAT', 'PXAT'] as const) {
    const v = o[k];
    if (v === undefined) continue;
    if (typeof v !== 'number') throw new InvalidArgumentError(`${method}(): ${k} must be a number`);
    out.push(k, v);
  }
  if (o.KEEPTTL === true) out.push('KEEPTTL');
  if (persist && o.PERSIST === true) out.push('PERSIST');
}

const setArgs: Translate = (method, [key, value, options]) => {
  const out = flatten(method, [key, value]);
  if (options === undefined) return out;
  const o = obj(options);
  if (o === undefined)
    throw new InvalidArgumentError(`${method}(): options must be an object ({ expiration, condition, GET })`);
  known(method, o, ['expiration', 'condition', 'GET', 'EX', 'PX', 'EXAT', 'PXAT', 'KEEPTTL', 'NX', 'XX']);
  expiration(method, o, out, false);
  if (o.condition === 'NX' || o.condition === 'XX') out.push(o.condition);
  else if (o.condition !== undefined) throw new InvalidArgumentError(`${method}(): condition must be 'NX' or 'XX'`);
  if (o.NX === true) out.push('NX');
  if (o.XX === true) out.push('XX');
  if (o.GET === true) out.push('GET');
  return out;
};

const getExArgs: Translate = (method, [key, options]) => {
  const out = flatten(method, [key]);
  const o = obj(options);
  if (o === undefined)
    throw new InvalidArgumentError(`${method}(): options must be an object ({ type, value } or { EX })`);
  if ('type' in o) expiration(method, { expiration: o }, out, true);
  else {
    known(method, o, ['expiration', 'EX', 'PX', 'EXAT', 'PXAT', 'PERSIST']);
    expiration(method, o, out, true);
  }
  return out;
};

/** EVAL-like: (script, { keys, arguments }) -> script numkeys keys... args...; ioredis' (script, numkeys, ...) passes. */
const scriptArgs: Translate = (method, [script, options, ...rest]) => {
  if (typeof options === 'number') return flatten(method, [script, options, ...rest]);
  const o = obj(options) ?? {};
  known(method, o, ['keys', 'arguments']);
  const keys = flatten(method, [o.keys ?? []]);
  return [...flatten(method, [script]), keys.length, ...keys, ...flatten(method, [o.arguments ?? []])];
};

/** mSet / mSetNX / hSet's fields: an object, a Map, [k, v] tuples or a flat list. */
function pairs(method: string, v: unknown): Arg[] {
  if (v instanceof Map) return flatten(method, [...v.entries()]);
  const o = obj(v);
  if (o !== undefined) return flatten(method, Object.entries(o));
  return flatten(method, [v]);
}

const scanOptions = (method: string, o: unknown, out: Arg[]): Arg[] => {
  const opts = obj(o);
  if (opts === undefined) return out;
  known(method, opts, ['MATCH', 'COUNT', 'TYPE', 'cursor']);
  if (opts.MATCH !== undefined) out.push('MATCH', opts.MATCH as string);
  if (opts.COUNT !== undefined) out.push('COUNT', opts.COUNT as number);
  if (opts.TYPE !== undefined) out.push('TYPE', opts.TYPE as string);
  return out;
};

const zAddArgs: Translate = (method, [key, members, options]) => {
  const out = flatten(method, [key]);
  const o = obj(options);
  if (o !== undefined) {
    known(method, o, ['condition', 'comparison', 'CH', 'INCR', 'NX', 'XX', 'GT', 'LT']);
    if (o.condition === 'NX' || o.condition === 'XX') out.push(o.condition);
    if (o.NX === true) out.push('NX');
    if (o.XX === true) out.push('XX');
    if (o.comparison === 'GT' || o.comparison === 'LT') out.push(o.comparison);
    if (o.GT === true) out.push('GT');
    if (o.LT === true) out.push('LT');
    if (o.CH === true) out.push('CH');
    if (o.INCR === true) out.push('INCR');
  }
  for (const m of Array.isArray(members) ? members : [members]) {
    const { score, value } = (obj(m) ?? {}) as { score?: unknown; value?: unknown };
    if (typeof score !== 'number' || value === undefined) {
      throw new InvalidArgumentError(`${method}(): members are { score: number, value } objects`);
    }
    out.push(score, ...flatten(method, [value]));
  }
  return out;
};

const zRangeArgs: Translate = (method, [key, min, max, options]) => {
  const out = flatten(method, [key, min, max]);
  const o = obj(options);
  if (o !== undefined) {
    known(method, o, ['BY', 'REV', 'LIMIT']);
    if (o.BY === 'SCORE' || o.BY === 'LEX') out.push(`BY${o.BY}`);
    if (o.REV === true) out.push('REV');
    const limit = obj(o.LIMIT) as { offset?: number; count?: number } | undefined;
    if (limit !== undefined) out.push('LIMIT', limit.offset ?? 0, limit.count ?? -1);
  }
  return out;
};

const limitArgs: Translate = (method, [key, min, max, options]) => {
  const out = flatten(method, [key, min, max]);
  const o = obj(options);
  if (o !== undefined) {
    known(method, o, ['LIMIT']);
    const limit = obj(o.LIMIT) as { offset?: number; count?: number } | undefined;
    if (limit !== undefined) out.push('LIMIT', limit.offset ?? 0, limit.count ?? -1);
  }
  return out;
};

/** Argument forms that are not "flatten everything". */
export const ARGS: Readonly<Record<string, Translate>> = {
  set: setArgs,
  getEx: getExArgs,
  eval: scriptArgs,
  evalSha: scriptArgs,
  evalRo: scriptArgs,
  evalShaRo: scriptArgs,
  fCall: scriptArgs,
  fCallRo: scriptArgs,
  mSet: (m, [kv]) => pairs(m, kv),
  mSetNX: (m, [kv]) => pairs(m, kv),
  hSet: (m, [key, field, value]) =>
    value === undefined ? [...flatten(m, [key]), ...pairs(m, field)] : flatten(m, [key, field, value]),
  configSet: (m, [param, value]) => (value === undefined ? pairs(m, param) : flatten(m, [param, value])),
  scan: (m, [cursor, o]) => scanOptions(m, o, flatten(m, [cursor])),
  hScan: (m, [key, cursor, o]) => scanOptions(m, o, flatten(m, [key, cursor])),
  sScan: (m, [key, cursor, o]) => scanOptions(m, o, flatten(m, [key, cursor])),
  zScan: (m, [key, cursor, o]) => scanOptions(m, o, flatten(m, [key, cursor])),
  zAdd: zAddArgs,
  zRange: zRangeArgs,
  zRangeWithScores: (m, a) => [...zRangeArgs(m, a), 'WITHSCORES'],
  zRangeByScore: limitArgs,
  zRangeByScoreWithScores: (m, a) => [...limitArgs(m, a), 'WITHSCORES'],
  zRevRange: (m, a) => flatten(m, a),
  pubSubNumSub: (m, [channels]) => flatten(m, [channels]),
  blPop: (m, [keys, timeout]) => flatten(m, [keys, timeout]),
  brPop: (m, [keys, timeout]) => flatten(m, [keys, timeout]),
};

/** The command a method sends when its name is not the command's (the WithScores variants). */
export const COMMAND_OF: Readonly<Record<string, string[]>> = {
  zRangeWithScores: ['ZRANGE'],
  zRangeByScoreWithScores: ['ZRANGEBYSCORE'],
};

/** [k, v, k, v] (RESP2) or an object/Map (RESP3) as an object, node-redis' shape for maps. */
function toObject(reply: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // defineProperty: a field named __proto__ becomes an own property, never the prototype.
  const set = (k: unknown, v: unknown) => {
    const name = Buffer.isBuffer(k) ? k.toString() : String(k);
    Object.defineProperty(out, name, { value: v, enumerable: true, writable: true, configurable: true });
  };
  if (Array.isArray(reply)) for (let i = 0; i + 1 < reply.length; i += 2) set(reply[i], reply[i + 1]);
  else if (reply instanceof Map) for (const [k, v] of reply) set(k, v);
  else if (reply !== null && typeof reply === 'object') for (const [k, v] of Object.entries(reply)) set(k, v);
  return out;
}

function toDouble(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return v;
  const s = Buffer.isBuffer(v) ? v.toString() : typeof v === 'string' ? v : '';
  if (s === 'inf' || s === '+inf') return Infinity;
  if (s === '-inf') return -Infinity;
  return Number(s);
}

function scored(reply: unknown): Array<{ value: unknown; score: number }> {
  const out: Array<{ value: unknown; score: number }> = [];
  const r = reply as unknown[];
  for (let i = 0; i < r.length; i++) {
    const item = r[i];
    // RESP3 sends [member, score] pairs; RESP2 a flat list.
    if (Array.isArray(item)) out.push({ value: item[0], score: toDouble(item[1]) ?? NaN });
    else out.push({ value: item, score: toDouble(r[++i]) ?? NaN });
  }
  return out;
}

function popped(reply: unknown): { key: unknown; element: unknown } | null {
  if (!Array.isArray(reply)) return null;
  return { key: reply[0], element: reply[1] };
}

/** Reply shapes node-redis v5 makes out of the RESP2 reply. */
export const REPLIES: Readonly<Record<string, (reply: unknown) => unknown>> = {
  hGetAll: toObject,
  configGet: toObject,
  pubSubNumSub: toObject,
  pubSubShardNumSub: toObject,
  scan: (r) => ({ cursor: String((r as unknown[])[0]), keys: (r as unknown[])[1] }),
  sScan: (r) => ({ cursor: String((r as unknown[])[0]), members: (r as unknown[])[1] }),
  hScan: (r) => {
    const flat = (r as unknown[])[1] as unknown[];
    const entries: Array<{ field: unknown; value: unknown }> = [];
    for (let i = 0; i + 1 < flat.length; i += 2) entries.push({ field: flat[i], value: flat[i + 1] });
    return { cursor: String((r as unknown[])[0]), entries };
  },
  zScan: (r) => ({ cursor: String((r as unknown[])[0]), members: scored((r as unknown[])[1]) }),
  zScore: toDouble,
  zIncrBy: toDouble,
  zmScore: (r) => (r as unknown[]).map(toDouble),
  zRangeWithScores: scored,
  zRangeByScoreWithScores: scored,
  blPop: popped,
  brPop: popped,
};

/** The command and its arguments for a method call, or the error that says why not. */
export function buildCall(method: string, args: unknown[]): { tokens: string[]; built: Arg[] } {
  const tokens = COMMAND_OF[method] ?? commandOf(method);
  const translate = ARGS[method];
  const built = translate === undefined ? flatten(method, args) : translate(method, args);
  return { tokens, built };
}
