// Where the client connects to reach a node the cluster announced. Behind NAT, in Docker or
// Kubernetes, nodes announce addresses that are right inside their network and unreachable from
// the client's (ioredis #693, #1173): `nodeAddressMap` turns each announced address (slot map,
// MOVED and ASK targets) into one the client can reach. The cluster keeps calling a node by its
// announced address (events, errors, `primaries`): only the connection goes elsewhere. Seeds are
// used as given: they are the addresses the user can reach already.
import { InvalidArgumentError } from '../errors';
import { nodeKey, type NodeAddress } from './slot-map';

/**
 * `nodeAddressMap`: an object keyed by the announced `host:port`, each value the address to
 * connect to instead (`{ host, port }`, either may be left out to keep the announced one), or a
 * function from the announced address to the one to use (return undefined to keep it).
 */
export type NodeAddressMap =
  | Readonly<Record<string, Partial<NodeAddress>>>
  | ((announced: NodeAddress) => Partial<NodeAddress> | undefined | null);

/** Announced address -> address to connect to. */
export type AddressMapper = (announced: NodeAddress) => NodeAddress;

const identity: AddressMapper = (a) => a;

function checkTarget(where: string, v: unknown): Partial<NodeAddress> {
  const ok =
    v !== null &&
    typeof v === 'object' &&
    !Array.isArray(v) &&
    ((v as NodeAddress).host === undefined ||
      (typeof (v as NodeAddress).host === 'string' && (v as NodeAddress).host !== '')) &&
    ((v as NodeAddress).port === undefined ||
      (Number.isInteger((v as NodeAddress).port) && (v as NodeAddress).port > 0 && (v as NodeAddress).port < 65536));
  if (!ok)
    throw new InvalidArgumentError(
      `${where} must be { host, port } (the address to connect to instead), got ${JSON.stringify(v)}`,
    );
  return v;
}

/** Validates the option at createCluster() and gives the mapper the topology uses for every node. */
export function resolveAddressMap(option: unknown): AddressMapper {
  if (option === undefined || option === null) return identity;
  if (typeof option === 'function') {
    const fn = option as (a: NodeAddress) => unknown;
    const warned = new Set<string>();
    return (announced) => {
      // Called while routing: a throwing or wrong function must not break the router. The node
      // is then tried at its announced address and the mistake reported once per address.
      try {
        const out = fn({ host: announced.host, port: announced.port });
        if (out === undefined || out === null) return announced;
        const to = checkTarget(`option 'nodeAddressMap' (the function's answer for ${nodeKey(announced)})`, out);
        return { host: to.host ?? announced.host, port: to.port ?? announced.port };
      } catch (err) {
        const key = nodeKey(announced);
        if (!warned.has(key)) {
          warned.add(key);
          const why = err instanceof Error ? err.message : String(err);
          process.emitWarning(`romaine: nodeAddressMap failed for ${key}, connecting to it as announced: ${why}`, {
            code: 'ROMAINE_NODE_ADDRESS_MAP',
          });
        }
        return announced;
      }
    };
  }
  if (typeof option !== 'object' || Array.isArray(option))
    throw new InvalidArgumentError(
      `option 'nodeAddressMap' must be an object { 'announced-host:port': { host, port } } or a function (address) => address, got ${JSON.stringify(option)}`,
    );
  const table = new Map<string, Partial<NodeAddress>>();
  for (const [key, value] of Object.entries(option)) {
    const colon = key.lastIndexOf(':');
    const port = Number(key.slice(colon + 1));
    if (colon <= 0 || !Number.isInteger(port) || port <= 0 || port >= 65536)
      throw new InvalidArgumentError(
        `option 'nodeAddressMap': key ${JSON.stringify(key)} must be an announced address 'host:port', e.g. '10.0.0.5:6379'`,
      );
    // An IPv6 key may come bracketed ('[::1]:6379'): the cluster announces it without brackets.
    const host = key.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
    table.set(`${host}:${port}`, checkTarget(`option 'nodeAddressMap[${JSON.stringify(key)}]'`, value));
  }
  if (table.size === 0) return identity;
  return (announced) => {
    const to = table.get(nodeKey(announced));
    return to === undefined ? announced : { host: to.host ?? announced.host, port: to.port ?? announced.port };
  };
}
