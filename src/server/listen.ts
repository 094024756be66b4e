/**
 * The gateway's own HTTP server: the fetch handler behind `node:http`, plus WebSocket upgrades
 * for `/v1/ws` and `/channels/<id>/…`.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { Duplex } from "node:stream";
import type { AddressInfo } from "node:net";
import type { Gateway } from "../core/gateway.ts";
import type { FetchHandler } from "./handler.ts";
import { toNodeListener } from "./node-adapter.ts";

export interface RunningServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/**
 * Route WebSocket upgrades to channels. On the gateway's own server (`exclusive`) an upgrade
 * for any other path gets a 404; on a host app's server it is left for the host's own handlers.
 */
export function attachUpgrades(server: Server, gateway: Gateway, options: { apiChannel?: string; prefix?: string; exclusive?: boolean } = {}): void {
  const prefix = (options.prefix ?? "").replace(/\/+$/, "");
  server.on("upgrade", (request, socket, head) => {
    // A throw in an "upgrade" listener is uncaught and would end the process: a caller's bad
    // URL must cost them a 400, never the gateway.
    try {
      route(request, socket, head);
    } catch (error) {
      gateway.log.warn("WebSocket upgrade refused", { error });
      if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\ncontent-type: text/plain\r\n\r\nmalformed upgrade request\n");
      else socket.destroy();
    }
  });

  function route(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    let path = new URL(request.url ?? "/", "http://localhost").pathname;
    if (prefix) {
      if (!path.startsWith(prefix + "/")) {
        if (options.exclusive) socket.end("HTTP/1.1 404 Not Found\r\n\r\n");
        return;
      }
      path = path.slice(prefix.length);
    }
    const parts = path.split("/").filter(Boolean);
    const channels = gateway.listChannels();
    let target: { channel: (typeof channels)[number] | undefined; subpath: string } = { channel: undefined, subpath: "/" };
    if (parts[0] === "v1" && parts[1] === "ws" && parts.length === 2) {
      const api = options.apiChannel ? gateway.getChannel(options.apiChannel) : channels.find((c) => c.type === "http");
      target = { channel: api, subpath: "/ws" };
    } else if (parts[0] === "channels" && parts[1]) {
      target = { channel: gateway.getChannel(decodeURIComponent(parts[1])), subpath: "/" + parts.slice(2).join("/") };
    }
    if (!target.channel?.handleUpgrade) {
      if (options.exclusive) socket.end("HTTP/1.1 404 Not Found\r\ncontent-type: text/plain\r\n\r\nno WebSocket endpoint here\n");
      return;
    }
    socket.on("error", () => socket.destroy());
    target.channel.handleUpgrade(request, socket, head, target.subpath);
  }
}

export async function listen(
  gateway: Gateway,
  handler: FetchHandler,
  options: { port: number; host: string; apiChannel?: string },
): Promise<RunningServer> {
  const server = createServer(toNodeListener(handler));
  // Slow clients must not pin sockets forever; SSE streams keep theirs alive with traffic.
  server.headersTimeout = 30_000;
  server.requestTimeout = 0;
  attachUpgrades(server, gateway, { ...options, exclusive: true });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    server,
    url: `http://${host === "0.0.0.0" || host === "[::]" ? "127.0.0.1" : host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
