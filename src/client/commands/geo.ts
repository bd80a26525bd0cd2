import { def, id, optionKeys, withOptions, variadic, type RedisKey, type RedisValue } from '../command-def';
import type { Arg } from '../../protocol/types';
import { toNullableNumber, toNumber } from './reply';

export type GeoUnit = 'm' | 'km' | 'mi' | 'ft';

export type GeoCoordinates = { longitude: number; latitude: number };

/** A member to add with its position. */
export type GeoMember = { longitude: number; latitude: number; member: RedisValue };

export interface GeoAddOptions {
  /** Only add new members. */
  NX?: true;
  /** Only update existing members. */
  XX?: true;
  /** Count changed members too, not only added ones. */
  CH?: true;
}

/** Where a search is centred: an existing member, or a position. */
export type GeoSearchFrom = { member: RedisValue } | GeoCoordinates;

/** The search area: a circle or a box centred on `from`. */
export type GeoSearchBy = { radius: number; unit: GeoUnit } | { width: number; height: number; unit: GeoUnit };

export interface GeoSearchOptions {
  /** Nearest first (ASC) or farthest first (DESC). */
  ORDER?: 'ASC' | 'DESC';
  /** At most this many results; `ANY`: stop at the first `count` found (faster, not the nearest). */
  COUNT?: number | { count: number; ANY?: true };
}

export interface GeoSearchWithOptions {
  /** Include each result's distance from the centre, in the search's unit. */
  WITHDIST?: true;
  /** Include each result's 52-bit geohash integer. */
  WITHHASH?: true;
  /** Include each result's position. */
  WITHCOORD?: true;
}

/** A GEOSEARCH result with what was asked for. */
export type GeoSearchResult = { member: string; distance?: number; hash?: number; coordinates?: GeoCoordinates };

const GEOSEARCH_KEYS = optionKeys<GeoSearchOptions>({ ORDER: 0, COUNT: 0 });

function searchArgs(args: Arg[], from: GeoSearchFrom, by: GeoSearchBy, opts: GeoSearchOptions | undefined): Arg[] {
  if ('member' in from) args.push('FROMMEMBER', from.member);
  else args.push('FROMLONLAT', from.longitude, from.latitude);
  if ('radius' in by) args.push('BYRADIUS', by.radius, by.unit);
  else args.push('BYBOX', by.width, by.height, by.unit);
  if (opts?.ORDER !== undefined) args.push(opts.ORDER);
  if (typeof opts?.COUNT === 'number') args.push('COUNT', opts.COUNT);
  else if (opts?.COUNT !== undefined) {
    args.push('COUNT', opts.COUNT.count);
    if (opts.COUNT.ANY) args.push('ANY');
  }
  return args;
}

const toCoordinates = (pair: unknown[]): GeoCoordinates => ({
  longitude: toNumber(pair[0]),
  latitude: toNumber(pair[1]),
});

/**
 * Each item is [member, dist?, hash?, [lon, lat]?] for the options given. The parts are told apart
 * by their type, so no options are needed here: the distance is a bulk string in both protocols
 * (Redis formats it to 4 decimals), the hash an integer, the position an array.
 */
function toSearchResults(reply: unknown[]): GeoSearchResult[] {
  return reply.map((item) => {
    const parts = item as unknown[];
    const result: GeoSearchResult = { member: parts[0] as string };
    for (let i = 1; i < parts.length; i++) {
      const part = parts[i];
      if (Array.isArray(part)) result.coordinates = toCoordinates(part);
      else if (typeof part === 'number' || typeof part === 'bigint') result.hash = Number(part);
      else result.distance = toNumber(part);
    }
    return result;
  });
}

/** Geospatial commands. Coordinates and distances are numbers (bulk strings in RESP2, doubles in RESP3). */
export const GEO = {
  /** GEOADD key [NX|XX] [CH] {longitude, latitude, member} ...: how many were added (with CH: changed). */
  geoadd: withOptions(
    def(
      'GEOADD',
      (key: RedisKey, members: GeoMember | GeoMember[], opts?: GeoAddOptions): Arg[] => {
        const args: Arg[] = [key];
        if (opts?.NX) args.push('NX');
        if (opts?.XX) args.push('XX');
        if (opts?.CH) args.push('CH');
        for (const m of Array.isArray(members) ? members : [members]) args.push(m.longitude, m.latitude, m.member);
        return args;
      },
      id<number>(),
    ),
    optionKeys<GeoAddOptions>({ NX: 0, XX: 0, CH: 0 }),
  ),
  /** GEOPOS key member [member ...]: each member's {longitude, latitude}, or null if it is not in the set. */
  geopos: variadic(
    def(
      'GEOPOS',
      (key: RedisKey, ...members: RedisValue[]) => [key, ...members],
      (r: unknown[]): (GeoCoordinates | null)[] => r.map((p) => (p === null ? null : toCoordinates(p as unknown[]))),
    ),
  ),
  /** GEODIST key member1 member2 [unit]: the distance (meters by default), or null if a member is missing. */
  geodist: def(
    'GEODIST',
    (key: RedisKey, member1: RedisValue, member2: RedisValue, unit?: GeoUnit) =>
      unit === undefined ? [key, member1, member2] : [key, member1, member2, unit],
    toNullableNumber,
  ),
  /** GEOHASH key member [member ...]: each member's 11-character geohash, or null if it is not in the set. */
  geohash: variadic(
    def('GEOHASH', (key: RedisKey, ...members: RedisValue[]) => [key, ...members], id<(string | null)[]>()),
  ),
  /** GEOSEARCH key FROMMEMBER|FROMLONLAT BYRADIUS|BYBOX [ASC|DESC] [COUNT n [ANY]]: the members found. */
  geosearch: withOptions(
    def(
      'GEOSEARCH',
      (key: RedisKey, from: GeoSearchFrom, by: GeoSearchBy, opts?: GeoSearchOptions) =>
        searchArgs([key], from, by, opts),
      id<string[]>(),
    ),
    GEOSEARCH_KEYS,
  ),
  /** GEOSEARCH ... WITHDIST|WITHHASH|WITHCOORD: [{member, distance?, hash?, coordinates?}]. */
  geosearchWith: withOptions(
    withOptions(
      def(
        'GEOSEARCH',
        (
          key: RedisKey,
          from: GeoSearchFrom,
          by: GeoSearchBy,
          withOpts: GeoSearchWithOptions,
          opts?: GeoSearchOptions,
        ) => {
          const args = searchArgs([key], from, by, opts);
          if (withOpts.WITHCOORD) args.push('WITHCOORD');
          if (withOpts.WITHDIST) args.push('WITHDIST');
          if (withOpts.WITHHASH) args.push('WITHHASH');
          return args;
        },
        toSearchResults,
      ),
      GEOSEARCH_KEYS,
    ),
    optionKeys<GeoSearchWithOptions>({ WITHDIST: 0, WITHHASH: 0, WITHCOORD: 0 }),
    3,
  ),
  /** GEOSEARCHSTORE destination source ... [STOREDIST]: how many were stored. */
  geosearchstore: withOptions(
    def(
      'GEOSEARCHSTORE',
      (
        destination: RedisKey,
        source: RedisKey,
        from: GeoSearchFrom,
        by: GeoSearchBy,
        opts?: GeoSearchOptions & { STOREDIST?: true },
      ) => {
        const args = searchArgs([destination, source], from, by, opts);
        if (opts?.STOREDIST) args.push('STOREDIST');
        return args;
      },
      id<number>(),
    ),
    [...GEOSEARCH_KEYS, 'STOREDIST'],
  ),
};
