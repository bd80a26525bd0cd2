// How the cluster client reaches one node it learned about: the address to connect to (announced
// address through `nodeAddressMap`) and, over TLS, the name its certificate is checked against.
//
// The TLS rule (docs/cluster.md "TLS"):
//   1. `tls.servername` given: every node uses it (one certificate name for the whole cluster).
//   2. The node was announced by a host name (`cluster-announce-hostname` with
//      `cluster-preferred-endpoint-type hostname`): that name, also when nodeAddressMap sends the
//      connection elsewhere — it is the name the node's certificate was made for.
//   3. The node was announced by an IP address and a seed was given by name: that seed's name
//      (a deployment reached through a DNS name usually has certificates for that name).
//   4. Otherwise the announced IP address is checked, also when the connection goes to a mapped
//      address (the mapped address is a NAT or proxy detail the certificate knows nothing of).
import { isIP } from 'node:net';
import { checkServerIdentity, type ConnectionOptions as TlsOptions } from 'node:tls';
import type { AddressMapper } from './address-map';
import type { NodeAddress } from './slot-map';

export interface NodeEndpoint {
  host: string;
  port: number;
  /** The TLS options of this node's client (undefined: plain TCP). */
  tls: TlsOptions | undefined;
}

export interface EndpointRules {
  mapAddress: AddressMapper;
  /** The client's TLS options (true: defaults), undefined for plain TCP. */
  tls: TlsOptions | boolean | undefined;
  /** The first seed given by a host name, if any (rule 3). */
  seedName: string | undefined;
}

/** The connection to make for a node the cluster announced at `announced`. */
export function endpointFor(announced: NodeAddress, rules: EndpointRules): NodeEndpoint {
  const to = rules.mapAddress(announced);
  return { host: to.host, port: to.port, tls: nodeTls(announced, to, rules) };
}

/** The TLS options for one node, per the rule above. */
export function nodeTls(announced: NodeAddress, to: NodeAddress, rules: EndpointRules): TlsOptions | undefined {
  const base = rules.tls === true ? {} : rules.tls === false ? undefined : rules.tls;
  if (base === undefined) return undefined;
  if (typeof base.servername === 'string' && base.servername !== '') return base;
  if (isIP(announced.host) === 0) return { ...base, servername: announced.host };
  if (rules.seedName !== undefined) return { ...base, servername: rules.seedName };
  if (to.host === announced.host) return base;
  // An IP cannot be a TLS servername (RFC 6066): check the certificate against it ourselves.
  const check = base.checkServerIdentity ?? checkServerIdentity;
  const ip = announced.host;
  return { ...base, checkServerIdentity: (_host, cert) => check(ip, cert) };
}

/** The name rule 3 uses: the first seed given by a host name. */
export function seedNameOf(seeds: readonly NodeAddress[]): string | undefined {
  return seeds.find((s) => isIP(s.host) === 0)?.host;
}
