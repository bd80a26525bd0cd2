/**
 * romaine/compat/ioredis: an ioredis-shaped facade over romaine, for libraries written for ioredis
 * (BullMQ, rate-limiter-flexible, redlock...). `new Redis(...)` takes ioredis' arguments and
 * options, answers with ioredis' reply shapes, status and events, and runs every command through
 * romaine's lifecycle. What differs from ioredis, and what is not covered: docs/compat-ioredis.md.
 *
 * ```js
 * import { Redis } from 'romaine/compat/ioredis'; // or: const { Redis } = require('romaine/compat/ioredis')
 * const redis = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
 * ```
 * @module romaine/compat/ioredis
 */
import { Redis } from './redis';

export { Redis };
export { Cluster, ClusterNode } from './cluster';
export type { IoredisClusterOptions, StartupNode } from './cluster-options';
export { Commander } from './commander';
export type { IoredisStatus, CommandDefinition, ScanStreamOptions, Callback, Backend } from './commander';
export { IoredisBatch } from './batch';
export type { RomaineBatch } from './batch';
export type { IoredisOptions } from './options';
export { ReplyError } from '../../errors';
export default Redis;
