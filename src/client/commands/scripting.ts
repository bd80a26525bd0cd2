import { binary, def, id, withOptions, arity, variadic, type RedisKey, type RedisValue } from '../command-def';
import type { Arg } from '../../protocol/types';
import { camelCase, setOwn, toBooleanArray, toNumber, toObject } from './reply';

/** A function of a library, as FUNCTION LIST describes it. */
export type FunctionInfo = { name: string; description: string | null; flags: string[] };

/** A library, as FUNCTION LIST describes it (Redis' snake_case names in camelCase). */
export type LibraryInfo = {
  libraryName: string;
  engine: string;
  functions: FunctionInfo[];
  /** With WITHCODE. */
  libraryCode?: string;
};

/** FUNCTION STATS: the function running now (if any) and, per engine, what is loaded. */
export interface FunctionStats {
  runningScript: { name: string; command: string[]; durationMs: number } | null;
  engines: Record<string, { librariesCount: number; functionsCount: number }>;
}

function toFunctionStats(reply: unknown): FunctionStats {
  const raw = toObject<unknown>(reply);
  const running = raw.running_script;
  let runningScript: FunctionStats['runningScript'] = null;
  if (running !== null && running !== undefined && !(Array.isArray(running) && running.length === 0)) {
    const r = toObject<unknown>(running);
    runningScript = {
      name: String(r.name),
      command: (r.command as unknown[]).map(String),
      durationMs: toNumber(r.duration_ms),
    };
  }
  const engines = toObject(raw.engines, (e) => {
    const counts = toObject<unknown>(e);
    return { librariesCount: toNumber(counts.libraries_count), functionsCount: toNumber(counts.functions_count) };
  });
  return { runningScript, engines };
}

/** script/function numkeys key ... arg ... */
const withKeys = (first: RedisValue, keys: RedisKey[] = [], args: RedisValue[] = []): Arg[] => [
  first,
  keys.length,
  ...keys,
  ...args,
];
const scriptCall = (script: RedisValue, keys?: RedisKey[], args?: RedisValue[]) => withKeys(script, keys, args);
const shaCall = (sha1: string, keys?: RedisKey[], args?: RedisValue[]) => withKeys(sha1, keys, args);
const functionCall = (fn: string, keys?: RedisKey[], args?: RedisValue[]) => withKeys(fn, keys, args);

function camelObject(reply: unknown): Record<string, unknown> {
  const raw = toObject<unknown>(reply);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(raw)) setOwn(out, camelCase(key), raw[key]);
  return out;
}

function toLibraries(reply: unknown[]): LibraryInfo[] {
  return reply.map((lib) => {
    const info = camelObject(lib);
    info.functions = (info.functions as unknown[]).map((f) => camelObject(f));
    return info as LibraryInfo;
  });
}

/** Lua scripts and functions. Replies are whatever the script returns, decoded as usual. */
export const SCRIPTING = {
  /** EVAL script numkeys key ... arg ...: the script's reply. */
  eval: arity(3, def('EVAL', scriptCall, id<unknown>())),
  /** EVALSHA sha1 numkeys key ... arg ...: the cached script's reply (NOSCRIPT error if not cached). */
  evalsha: arity(3, def('EVALSHA', shaCall, id<unknown>())),
  /** EVAL_RO: EVAL for read-only scripts (allowed on replicas). */
  evalRo: arity(3, def('EVAL_RO', scriptCall, id<unknown>())),
  /** EVALSHA_RO: EVALSHA for read-only scripts. */
  evalshaRo: arity(3, def('EVALSHA_RO', shaCall, id<unknown>())),
  /** SCRIPT LOAD script: its SHA1, to use with EVALSHA. */
  scriptLoad: def('SCRIPT', (script: RedisValue) => ['LOAD', script], id<string>()),
  /** SCRIPT EXISTS sha1 [sha1 ...]: for each, true if it is cached. */
  scriptExists: variadic(def('SCRIPT', (...sha1s: string[]) => ['EXISTS', ...sha1s], toBooleanArray)),
  /** SCRIPT FLUSH [ASYNC|SYNC]: empties the script cache. */
  scriptFlush: def(
    'SCRIPT',
    (mode?: 'ASYNC' | 'SYNC') => (mode === undefined ? ['FLUSH'] : ['FLUSH', mode]),
    id<'OK'>(),
  ),
  /** FUNCTION LOAD [REPLACE] code: the library's name. */
  functionLoad: withOptions(
    def(
      'FUNCTION',
      (code: RedisValue, opts?: { REPLACE?: true }) => (opts?.REPLACE ? ['LOAD', 'REPLACE', code] : ['LOAD', code]),
      id<string>(),
    ),
    ['REPLACE'],
  ),
  /** FUNCTION DELETE library: 'OK'. */
  functionDelete: def('FUNCTION', (library: string) => ['DELETE', library], id<'OK'>()),
  /** FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE]: [{libraryName, engine, functions, libraryCode?}]. */
  functionList: withOptions(
    def(
      'FUNCTION',
      (opts?: { LIBRARYNAME?: string; WITHCODE?: true }): Arg[] => {
        const args: Arg[] = ['LIST'];
        if (opts?.LIBRARYNAME !== undefined) args.push('LIBRARYNAME', opts.LIBRARYNAME);
        if (opts?.WITHCODE) args.push('WITHCODE');
        return args;
      },
      toLibraries,
    ),
    ['LIBRARYNAME', 'WITHCODE'],
  ),
  /** FUNCTION FLUSH [ASYNC|SYNC]: deletes every library. */
  functionFlush: def(
    'FUNCTION',
    (mode?: 'ASYNC' | 'SYNC') => (mode === undefined ? ['FLUSH'] : ['FLUSH', mode]),
    id<'OK'>(),
  ),
  /** FCALL function numkeys key ... arg ...: the function's reply. */
  fcall: arity(3, def('FCALL', functionCall, id<unknown>())),
  /** FCALL_RO: FCALL for functions flagged no-writes (allowed on replicas). */
  fcallRo: arity(3, def('FCALL_RO', functionCall, id<unknown>())),
  /** SCRIPT KILL: stops the running Lua script (one that has not written yet; otherwise SHUTDOWN NOSAVE is the way). */
  scriptKill: def('SCRIPT', () => ['KILL'], id<'OK'>()),
  /** FUNCTION KILL: stops the running function (one that has not written yet). */
  functionKill: def('FUNCTION', () => ['KILL'], id<'OK'>()),
  /** FUNCTION DUMP: every library, serialized (always a Buffer: the payload is binary), for functionRestore. */
  functionDump: binary(def('FUNCTION', () => ['DUMP'], id<Buffer>())),
  /** FUNCTION RESTORE payload [FLUSH|APPEND|REPLACE]: loads a functionDump() payload (APPEND by default). */
  functionRestore: def(
    'FUNCTION',
    (payload: Buffer | string, policy?: 'FLUSH' | 'APPEND' | 'REPLACE'): Arg[] =>
      policy === undefined ? ['RESTORE', payload] : ['RESTORE', payload, policy],
    id<'OK'>(),
  ),
  /** FUNCTION STATS: the function running now, if any, and the libraries and functions per engine. */
  functionStats: def('FUNCTION', () => ['STATS'], toFunctionStats),
};
