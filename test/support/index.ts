// Test utilities for romaine: real redis-servers, a fault-injecting TCP proxy,
// protected-mode servers in network namespaces, TLS fixtures, raw RESP, waiting helpers.
// See test/support/README.md for recipes and measured numbers.
export * from './redis-server';
export * from './fault-proxy';
export * from './netns';
export * from './tls';
export * from './raw';
export * from './wait';
export * from './replication';
export * from './busy-script';
export { onProcessExit } from './cleanup';
export * from './cluster';
export * from './sentinel';
