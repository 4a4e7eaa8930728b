/**
 * One `upgrade` listener per HTTP(S) server, routing WebSocket upgrades by path: several WebSocket services
 * share a port (the RealTime API at `/`, SIP over WebSocket at `--sip-ws-path`), and two listeners on one
 * server would both answer the same upgrade.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';

export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

/** `routes` by exact path (the query is ignored); anything else goes to `fallback`. */
export function routeUpgrades(server: Server, routes: Record<string, UpgradeHandler>, fallback: UpgradeHandler): void {
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // A socket error before the handshake completes must not become an uncaught exception.
    socket.on('error', () => socket.destroy());
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    (routes[path] ?? fallback)(req, socket, head);
  });
}
