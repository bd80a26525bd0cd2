/**
 * `romaine/compat/node-redis`: node-redis' client shape over romaine, for libraries written for
 * node-redis (see docs/compat-node-redis.md for what it covers and where romaine differs).
 *
 *   import { createClient } from 'romaine/compat/node-redis';
 *   const client = await createClient({ url: 'redis://127.0.0.1:6379' }).connect();
 *
 * Loaded only by those who import it: the main entry point does not.
 */
export { createClient, NodeRedisClient } from './client';
export type { NodeRedisCommands, NodeRedisEvents, NodeRedisListener } from './client';
export { createCluster, NodeRedisCluster, NodeRedisNodeClient } from './cluster';
export type { NodeRedisClusterOptions, NodeRedisShardNode } from './cluster';
export { NodeRedisBase } from './client';
export type { NodeRedisBackend } from './client';
export { NodeRedisMulti } from './multi';
export type { MultiBackend } from './multi';
export type { NodeRedisMultiCommands } from './multi';
export { METHODS } from './commands';
export type { NodeRedisMethod } from './commands';
export type { NodeRedisClientOptions, NodeRedisSocketOptions } from './options';
