/** The header of every run: the machine, the Node version, the store settings and the load. */
import { availableParallelism, cpus, totalmem } from "node:os";
import type { BenchOptions } from "./scenario.ts";
import { GATEWAY_STORE } from "./slack-targets.ts";

export function machineHeader(options: BenchOptions): string {
  const model = cpus()[0]?.model.trim() ?? "unknown CPU";
  return [
    `# Switchboard benchmarks${options.quick ? " (quick smoke run: figures not representative)" : ""}`,
    `machine: ${availableParallelism()} cores (${model}), ${(totalmem() / 1024 ** 3).toFixed(1)} GiB RAM, ${process.platform}; Node ${process.version}`,
    `gateway store: ${GATEWAY_STORE}; echo agent; Slack channel in events mode on the Slack emulator`,
    `load: ${options.messages} signed Slack DM events (message.im) per round over ${options.connections} keep-alive connections from ${options.users} users, after ${options.warmup} warm-up events; ${options.rounds} round(s), servers alternating, medians reported`,
    `CPU ms/msg: the server process's user+system time (/proc/<pid>/stat) over the measured batch, divided by its messages`,
  ].join("\n");
}
