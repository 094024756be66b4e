/**
 * The noise baseline of the benchmarks: a bare `node:http` server in a process of its own that
 * does the least a webhook endpoint can (read the POST, answer 202). Its throughput through the
 * same proxy and load generator is the ceiling this machine puts on any gateway.
 *
 *   node bench/bare-server.ts    prints its URL, serves until killed
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";

export interface BareServer {
  url: string;
  stop(): Promise<void>;
}

/** Start the server as a child process, as the gateways are. */
export function startBareServer(): Promise<BareServer> {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url)], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (data) => {
      out += data;
      const url = /http:\/\/127\.0\.0\.1:\d+/.exec(out)?.[0];
      if (url) resolve({ url, stop: () => stopChild(child) });
    });
    child.once("exit", (code) => reject(new Error(`the bare server exited with ${code}`)));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}

function serve(): void {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(202, { "content-type": "application/json" });
      res.end('{"accepted":true}');
    });
  });
  server.listen(0, "127.0.0.1", () => console.log(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) serve();
