/**
 * `romaine/testing`: real Redis servers, clusters, sentinels and network faults for your own
 * tests, with no coupling to a test runner. Every process and network namespace it starts is
 * stopped by pid on `close()` and, at the latest, when the Node process exits.
 *
 * ```ts
 * import { startRedis, faultProxy } from 'romaine/testing';
 *
 * await using redis = await startRedis();
 * await using proxy = await faultProxy(redis);
 * // point the service under test at proxy.url, then: proxy.blackhole(), redis.restart(), ...
 * ```
 *
 * See docs/testing.md for recipes.
 *
 * @module
 */
export { startRedis, type StartRedisOptions, type RedisHandle, type RedisProcess } from './start-redis';
export {
  faultProxy,
  type FaultProxyHandle,
  type FaultDirection,
  type ProxyTarget,
  type BlackholeOptions,
} from './fault';
export {
  startCluster,
  startSentinel,
  type StartClusterOptions,
  type ClusterHandle,
  type StartSentinelOptions,
  type SentinelHandle,
  type FailoverResult,
  type KillPrimaryOptions,
  type HostPort,
} from './deployments';
export { protectedModeServer, type ProtectedModeServerOptions, type ProtectedModeHandle } from './protected';
export { RedisNotInstalledError, ProtectedModeUnavailableError, PortInUseError } from './errors';
