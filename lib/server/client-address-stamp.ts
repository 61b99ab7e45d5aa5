import "server-only";
import { randomBytes } from "node:crypto";
import { subscribe } from "node:diagnostics_channel";
import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import { clientAddress } from "../http/client-address";
import { env } from "./env";

/**
 * Route handlers see a web Request, without the socket. Node announces each request on this
 * channel before the server handles it: the peer's address is written there into a header whose
 * name ends in a random suffix chosen at start, so no client can send one ahead of it (the
 * server accepts connections a moment before this subscription exists; a request then simply
 * has no address). Called once at start (instrumentation); the name is shared through globalThis
 * because route handlers are bundled apart from it.
 */
const globalForStamp = globalThis as unknown as { cipherwatchAddressHeader?: string };

export function stampClientAddresses(): void {
  const header = `x-cw-client-address-${randomBytes(12).toString("hex")}`;
  globalForStamp.cipherwatchAddressHeader = header;
  subscribe("http.server.request.start", (message) => {
    const { request, socket } = message as { request: IncomingMessage; socket: Socket };
    request.headers[header] = clientAddress(socket.remoteAddress, request.headers["x-forwarded-for"], env.CW_TRUST_PROXY);
  });
}

/** The address the server stamped on the request, or "unknown". */
export function requestAddress(request: Request): string {
  const header = globalForStamp.cipherwatchAddressHeader;
  return (header && request.headers.get(header)) || "unknown";
}
