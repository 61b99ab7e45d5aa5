import "server-only";
import { subscribe } from "node:diagnostics_channel";
import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import { CLIENT_ADDRESS_HEADER, clientAddress } from "../http/client-address";
import { env } from "./env";

/**
 * Route handlers see a web Request, without the socket. Node announces each request on this
 * channel before the server handles it: the peer's address is written into a header there,
 * replacing any the client sent, so handlers can trust it. Called once at start (instrumentation).
 */
export function stampClientAddresses(): void {
  subscribe("http.server.request.start", (message) => {
    const { request, socket } = message as { request: IncomingMessage; socket: Socket };
    request.headers[CLIENT_ADDRESS_HEADER] = clientAddress(socket.remoteAddress, request.headers["x-forwarded-for"], env.CW_TRUST_PROXY);
  });
}
