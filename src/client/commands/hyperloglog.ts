import { def, id, variadic, type RedisKey, type RedisValue } from '../command-def';
import { toBoolean } from './reply';

/** HyperLogLog commands: approximate distinct counts in 12 KB per key. */
export const HYPERLOGLOG = {
  /** PFADD key [element ...]: true if the estimate changed (or the key was created). */
  pfadd: variadic(def('PFADD', (key: RedisKey, ...elements: RedisValue[]) => [key, ...elements], toBoolean)),
  /** PFCOUNT key [key ...]: the estimated number of distinct elements (of the union, for several keys). */
  pfcount: variadic(def('PFCOUNT', (...keys: RedisKey[]) => keys, id<number>())),
  /** PFMERGE destination source [source ...]: 'OK'. */
  pfmerge: variadic(
    def('PFMERGE', (destination: RedisKey, ...sources: RedisKey[]) => [destination, ...sources], id<'OK'>()),
  ),
};
