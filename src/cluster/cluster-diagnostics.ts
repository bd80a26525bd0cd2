// The cluster's own diagnostics_channel messages (docs/observability.md): redirections, topology
// swaps and node changes, each published only when someone listens. Commands themselves are
// published by the node's client that sent them (romaine:command:*), so their `client` and the
// OTel spans' server.address/server.port name the node that served them, after redirections.
import {
  clusterNodeChannel,
  clusterRedirectionChannel,
  clusterTopologyChannel,
  type ClusterNodeMessage,
  type ClusterRedirectionMessage,
  type ClusterTopologyMessage,
} from '../diagnostics';
import type { NodeEvent, TopologyChange } from './topology';

export function publishRedirection(
  cluster: unknown,
  command: string,
  kind: 'moved' | 'ask',
  slot: number,
  from: string,
  to: string,
): void {
  if (!clusterRedirectionChannel.hasSubscribers) return;
  const message: ClusterRedirectionMessage = { cluster, command, kind, slot, from, to };
  clusterRedirectionChannel.publish(message);
}

export function publishTopology(cluster: unknown, change: TopologyChange): void {
  if (!clusterTopologyChannel.hasSubscribers) return;
  const message: ClusterTopologyMessage = { cluster, ...change };
  clusterTopologyChannel.publish(message);
}

export function publishNode(cluster: unknown, e: NodeEvent): void {
  if (!clusterNodeChannel.hasSubscribers) return;
  const message: ClusterNodeMessage = { cluster, ...e };
  clusterNodeChannel.publish(message);
}
