// Reading the cluster's answers that are not about the command itself: MOVED and ASK (go
// elsewhere), TRYAGAIN (a multi-key command met a slot halfway through a migration) and
// CLUSTERDOWN (the cluster is not serving that slot now). They reach us as ReplyErrors whose `code`
// is the first word of the server's message.
import { ReplyError } from '../errors';
import type { NodeAddress } from './slot-map';

export type Redirection =
  { kind: 'moved' | 'ask'; slot: number; address: NodeAddress } | { kind: 'tryagain' | 'clusterdown' };

/**
 * What the error tells the router, or undefined for an ordinary error. `from` is the node that
 * answered: a MOVED/ASK with an empty host (`MOVED 3999 :6381`, sent by a node that does not know
 * its announced endpoint) means "same host as me".
 */
export function parseRedirection(err: unknown, from: NodeAddress): Redirection | undefined {
  if (!(err instanceof ReplyError)) return undefined;
  switch (err.code) {
    case 'TRYAGAIN':
      return { kind: 'tryagain' };
    case 'CLUSTERDOWN':
      return { kind: 'clusterdown' };
    case 'MOVED':
    case 'ASK': {
      const [, slotText, addr] = err.message.split(' ');
      const slot = Number(slotText);
      // IPv6 hosts come unbracketed (`::1:6381`): the port is after the last colon.
      const colon = addr === undefined ? -1 : addr.lastIndexOf(':');
      const port = colon < 0 ? NaN : Number(addr.slice(colon + 1));
      if (!Number.isInteger(slot) || !Number.isInteger(port)) return undefined;
      const host = addr.slice(0, colon) || from.host;
      return { kind: err.code === 'MOVED' ? 'moved' : 'ask', slot, address: { host, port } };
    }
    default:
      return undefined;
  }
}
