/**
 * romaine: a Redis client for Node.js that is right when the network, the server or its
 * configuration is wrong. Start with {@link createClient}.
 * @module romaine
 */
export { createClient, RedisClient } from './client/client';
export type { ClientEvents, ClientCommands, BufferCommands, ClientBufferCommands } from './client/client';
export type { ClientOptions, ReconnectOptions, Credentials, ResolvedOptions } from './client/options';
export type { Auth } from './client/credentials';
export type { ClientSummary } from './client/inspect';
export type { DecoderLimits } from './protocol/types';
export type { Clock, TimerHandle } from './lifecycle/clock';
export type { FailureHook } from './lifecycle/policy';
export type { Bufferize, CommandDef, OptionsParam, Transform } from './client/command-def';
export type { BlockingTime } from './client/commands/blocking';
export { Command, CommandGroup } from './connection/command';
export type { CommandStage, ReplyTransform } from './connection/command';
export type { ResolvedCacheOptions } from './client/cache';
export { Pipeline, Transaction } from './client/pipeline';
export { createPool, Pool } from './pool/pool';
export type { PoolOptions } from './pool/pool';
export type { PoolStats } from './pool/resource-pool';
export type { CacheOptions, CacheStats, CacheView } from './client/cache';
export type {
  BufferMessageListener,
  BufferPatternListener,
  MessageListener,
  PatternListener,
  ResubscribedEvent,
  SubscribeOptions,
  SubscriptionKind,
} from './client/pubsub';
export type { PipelineResult, BatchResult, BatchResults } from './client/pipeline';
export type * from './client/commands';
export { defineScript, Script } from './client/scripts';
export { Monitor } from './client/monitor';
export type { MonitorEvent, MonitorOptions } from './client/monitor';
export type { ScriptOptions } from './client/scripts';
export type { ScanIteratorOptions, KeyScanIteratorOptions } from './client/scan';
export type { RedisKey, RedisValue } from './client/command-def';
export type { State } from './lifecycle/states';
export type { FailureInfo, Phase, Decision } from './lifecycle/policy';
export type { Jitter } from './lifecycle/backoff';
export type { RetryInFlight } from './lifecycle/replay';
export type { ServerInfo } from './connection/handshake';
export type { CommandOptions } from './connection/command';
export type { Arg } from './protocol/types';
export {
  RomaineError,
  InvalidArgumentError,
  ReplyError,
  ConnectionError,
  ProtectedModeError,
  AuthError,
  ProtocolError,
  CommandTimeoutError,
  AbortError,
  ConnectionLostError,
  ClientClosedError,
  ClientFailedError,
  OfflineQueueFullError,
  PoolTimeoutError,
  ERROR_CODES,
} from './errors';
export type { FailureKind } from './errors';
export { VERSION } from './version';
export type { CommandMessage } from './diagnostics';
export { createCluster, ClusterClient } from './cluster/cluster-client';
export type { ClusterEvents } from './cluster/cluster-client';
export type { ClusterBufferCommands } from './cluster/cluster-buffers';
export type { ClusterOptions } from './cluster/options';
export type { ReadFrom } from './cluster/read-from';
export type { NodeAddress } from './cluster/slot-map';
export type { NodeAddressMap } from './cluster/address-map';
export type { ClusterRedirectionMessage, ClusterTopologyMessage, ClusterNodeMessage } from './diagnostics';
export type { ClusterPipeline, ClusterTransaction } from './cluster/cluster-batch';
export type { ClusterNodeHandle, NodeRole, NodeSelection } from './cluster/node-handle';
export type { SentinelOptions, SentinelAddress, ResolvedSentinelOptions } from './sentinel/options';
export type { SentinelSwitch } from './sentinel/follower';
export type { TopologyChange, NodeEvent } from './cluster/topology';
export type { ClusterResubscribedEvent } from './cluster/cluster-pubsub';
export {
  ClusterCrossSlotError,
  ClusterSlotMigratingError,
  ClusterSlotMovedError,
  ClusterRedirectionError,
  ClusterDisabledError,
  ClusterUnavailableError,
} from './errors';
