// Test utilities for romaine: real redis-servers, a fault-injecting TCP proxy,
// protected-mode servers in network namespaces, TLS fixtures, raw RESP.
// See test/support/README.md for recipes and measured numbers.
export * from './redis-server';
export * from './fault-proxy';
export * from './netns';
export * from './tls';
export * from './raw';
export { onProcessExit } from './cleanup';
