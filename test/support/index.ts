// Test utilities for romaine. The harness itself (real redis-servers, a fault-injecting TCP proxy,
// protected-mode servers in network namespaces, TLS fixtures, clusters, sentinels, cleanup at exit)
// lives in src/testing/ and is published as `romaine/testing`; the project's tests use the very same
// code through this index. Test-only helpers (raw RESP, waiting, the busy script, running a
// TypeScript program) stay here. See test/support/README.md for recipes and measured numbers.
export * from '../../src/testing/redis-server';
export * from '../../src/testing/fault-proxy';
export * from '../../src/testing/netns';
export * from '../../src/testing/tls';
export * from '../../src/testing/replication';
export { onProcessExit } from '../../src/testing/cleanup';
export * from '../../src/testing/cluster';
export * from '../../src/testing/sentinel';
export * from './raw';
export * from './wait';
export * from './busy-script';
