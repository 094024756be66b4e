/**
 * A round-robin HTTP proxy on loopback in front of several gateways, as a load balancer would
 * be. Each request goes to the next backend in turn. A backend that refuses the connection (its
 * process is gone) is skipped and the request goes to the next one, so a client sees no error
 * from a dead instance while another is up. Any other failure (a reset in the middle of a
 * request, because the instance died while handling it) is answered 502: the proxy cannot know
 * whether the request was handled, so the client decides whether to send it again.
 */
import { Agent, createServer, request, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface RoundRobinProxy {
  url: string;
  /** Requests sent to another backend because one refused the connection. */
  readonly skipped: number;
  /** Requests answered 502 because their backend failed mid-request. */
  readonly failed: number;
  close(): Promise<void>;
}

export async function startRoundRobinProxy(backends: string[]): Promise<RoundRobinProxy> {
  const targets = backends.map((url) => new URL(url));
  const keepAlive = new Agent({ keepAlive: true, maxSockets: 256 });
  let next = 0;
  let skipped = 0;
  let failed = 0;

  const forward = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    for (let tried = 0; tried < targets.length; tried++) {
      const target = targets[next++ % targets.length]!;
      const outcome = await send(target, req, body, res, keepAlive);
      if (outcome === "done") return;
      if (outcome === "failed") break;
      skipped++;
    }
    failed++;
    if (!res.headersSent) res.writeHead(502, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: "the gateway failed while handling the request" }));
  };

  const server = createServer((req, res) => void forward(req, res).catch(() => res.destroy()));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get skipped() {
      return skipped;
    },
    get failed() {
      return failed;
    },
    close: () =>
      new Promise<void>((resolve) => {
        keepAlive.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** "refused": nothing was sent, try another backend; "failed": it may have been handled. */
function send(target: URL, req: IncomingMessage, body: Buffer, res: ServerResponse, agent: Agent): Promise<"done" | "refused" | "failed"> {
  return new Promise((resolve) => {
    const headers = { ...req.headers, host: target.host, "content-length": String(body.length) };
    delete headers["transfer-encoding"];
    const outgoing = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent }, (upstream) => {
      res.writeHead(upstream.statusCode ?? 502, upstream.headers);
      upstream.pipe(res);
      upstream.on("end", () => resolve("done"));
      upstream.on("error", () => {
        res.destroy();
        resolve("done");
      });
    });
    outgoing.on("error", (error: NodeJS.ErrnoException) => resolve(error.code === "ECONNREFUSED" ? "refused" : "failed"));
    outgoing.end(body);
  });
}
