/**
 * Requests written byte by byte on a plain TCP socket, for what fetch refuses to send: CR and LF
 * inside header values, duplicate or contradictory framing headers, broken chunked encoding,
 * malformed request lines. The answer is the status line's code, or how the connection ended.
 */
import { connect } from "node:net";

export type RawOutcome =
  | { kind: "status"; status: number; head: string }
  /** The server closed (or reset) the connection without an HTTP answer. */
  | { kind: "closed" }
  | { kind: "timeout" };

/** Send `request` (a whole HTTP/1.1 message) and read until the status line arrives or the socket ends. */
export function sendRaw(url: string, request: string | Uint8Array, timeoutMs = 10_000): Promise<RawOutcome> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    let received = "";
    let settled = false;
    const finish = (outcome: RawOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish({ kind: "timeout" }), timeoutMs);
    socket.on("connect", () => socket.write(request));
    socket.on("data", (chunk) => {
      received += chunk.toString("latin1");
      const end = received.indexOf("\r\n\r\n");
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(received);
      if (status && end !== -1) finish({ kind: "status", status: Number(status[1]), head: received.slice(0, end) });
    });
    // A reset while we still write is how a server may refuse, too: not a hang, not a crash.
    socket.on("error", () => finish(statusOrClosed(received)));
    socket.on("close", () => finish(statusOrClosed(received)));
  });
}

function statusOrClosed(received: string): RawOutcome {
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(received);
  return status ? { kind: "status", status: Number(status[1]), head: received } : { kind: "closed" };
}

/** A request message from its parts; `headers` are written verbatim, one per line. */
export function rawRequest(method: string, target: string, headers: string[], body = ""): string {
  return `${method} ${target} HTTP/1.1\r\n${headers.map((h) => `${h}\r\n`).join("")}\r\n${body}`;
}
