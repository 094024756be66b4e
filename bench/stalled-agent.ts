/**
 * An agent service that takes every turn's request and never answers: with it, a gateway accepts
 * and acknowledges messages while no turn can finish, so the ack path is measured alone and a
 * backlog builds up as it would while an agent is down.
 */
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface StalledAgent {
  url: string;
  /** Drop the turns held so far (their requests fail), so a gateway can stop without waiting on them. */
  release(): void;
  close(): Promise<void>;
}

export async function startStalledAgent(): Promise<StalledAgent> {
  const held = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    req.resume();
    held.add(res);
    res.on("close", () => held.delete(res));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/turn`,
    release: () => server.closeAllConnections(),
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
