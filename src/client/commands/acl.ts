import { def, id, variadic, type RedisValue } from '../command-def';
import type { Arg } from '../../protocol/types';
import { camelCase, setOwn, toObject } from './reply';

/** A user's rules, as ACL GETUSER describes them (Redis 7 shape). */
export interface AclUser {
  /** 'on' | 'off', 'nopass', 'allkeys', ... */
  flags: string[];
  /** SHA-256 hashes of the user's passwords (never the passwords). */
  passwords: string[];
  /** '+@all -debug', ... */
  commands: string;
  /** '~*', ... */
  keys: string;
  /** '&*', ... */
  channels: string;
  /** Further rule sets, each with its commands, keys and channels. */
  selectors: Record<string, string>[];
}

/** One ACL LOG entry (Redis' names in camelCase; numbers as numbers). */
export interface AclLogEntry {
  count: number;
  /** 'command' | 'key' | 'channel' | 'auth'. */
  reason: string;
  /** 'toplevel' | 'multi' | 'lua' | 'module'. */
  context: string;
  /** The command, key or channel that was refused. */
  object: string;
  username: string;
  ageSeconds: number;
  /** The client, as a CLIENT LIST line. */
  clientInfo: string;
  /** Redis 7.2+. */
  entryId?: number;
  timestampCreated?: number;
  timestampLastUpdated?: number;
  [field: string]: string | number | undefined;
}

const NUMERIC_LOG_FIELDS = new Set(['count', 'age-seconds', 'entry-id', 'timestamp-created', 'timestamp-last-updated']);

function toAclUser(reply: unknown): AclUser | null {
  if (reply === null) return null;
  const raw = toObject<string | string[] | undefined>(reply);
  const list = (v: string | string[] | undefined): string[] =>
    Array.isArray(v) ? v.map(String) : v === undefined ? [] : [v];
  return {
    flags: list(raw.flags),
    passwords: list(raw.passwords),
    commands: String((raw.commands as string | undefined) ?? ''),
    keys: String((raw.keys as string | undefined) ?? ''),
    channels: String((raw.channels as string | undefined) ?? ''),
    selectors: (Array.isArray(raw.selectors) ? raw.selectors : []).map((s: unknown) => toObject<string>(s)),
  };
}

function toAclLog(reply: unknown[]): AclLogEntry[] {
  return reply.map((entry) => {
    const raw = toObject<unknown>(entry);
    const out: Record<string, string | number> = {};
    for (const key of Object.keys(raw)) {
      setOwn(out, camelCase(key), NUMERIC_LOG_FIELDS.has(key) ? Number(raw[key]) : (raw[key] as string));
    }
    return out as AclLogEntry;
  });
}

/** Access control lists: users, their rules, and the log of refusals. */
export const ACL = {
  /** ACL CAT [category]: the ACL categories, or the commands in one. */
  aclCat: def(
    'ACL',
    (category?: string): Arg[] => (category === undefined ? ['CAT'] : ['CAT', category]),
    id<string[]>(),
  ),
  /** ACL DELUSER user [user ...]: how many users were deleted. */
  aclDeluser: variadic(def('ACL', (...users: string[]) => ['DELUSER', ...users], id<number>())),
  /** ACL DRYRUN user command [arg ...]: 'OK' if the user may run it, else the reason (Redis 7). */
  aclDryrun: variadic(
    def(
      'ACL',
      (user: string, command: string, ...args: RedisValue[]) => ['DRYRUN', user, command, ...args],
      id<string>(),
    ),
  ),
  /** ACL GENPASS [bits]: a random password from the server (256 bits, 64 hex characters, by default). */
  aclGenpass: def(
    'ACL',
    (bits?: number): Arg[] => (bits === undefined ? ['GENPASS'] : ['GENPASS', bits]),
    id<string>(),
  ),
  /** ACL GETUSER user: the user's rules, or null when there is no such user. */
  aclGetuser: def('ACL', (user: string) => ['GETUSER', user], toAclUser),
  /** ACL LIST: every user's rules, as ACL SETUSER lines. */
  aclList: def('ACL', () => ['LIST'], id<string[]>()),
  /** ACL LOAD: reloads the users from the ACL file. */
  aclLoad: def('ACL', () => ['LOAD'], id<'OK'>()),
  /** ACL LOG [count]: the latest refused commands, keys and logins, newest first. */
  aclLog: def('ACL', (count?: number): Arg[] => (count === undefined ? ['LOG'] : ['LOG', count]), toAclLog),
  /** ACL LOG RESET: empties the ACL log. */
  aclLogReset: def('ACL', () => ['LOG', 'RESET'], id<'OK'>()),
  /** ACL SAVE: writes the users to the ACL file. */
  aclSave: def('ACL', () => ['SAVE'], id<'OK'>()),
  /**
   * ACL SETUSER user [rule ...]: creates or changes a user ('on', '>password', '~keys:*', '+@read',
   * ...). Diagnostics and traces never show its rules (they may hold passwords).
   */
  aclSetuser: variadic(def('ACL', (user: string, ...rules: string[]) => ['SETUSER', user, ...rules], id<'OK'>())),
  /** ACL USERS: the user names. */
  aclUsers: def('ACL', () => ['USERS'], id<string[]>()),
  /** ACL WHOAMI: the user this connection is authenticated as. */
  aclWhoami: def('ACL', () => ['WHOAMI'], id<string>()),
};
