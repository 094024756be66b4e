/**
 * The process's own metrics (CPU, memory, handles, GC, event-loop lag), in one registry per
 * process. They describe the process, not a gateway, and prom-client's collectors (an event-loop
 * delay monitor, a GC observer) cannot be turned off again: made once, shared by every gateway
 * the process runs (tests start many).
 */
import { collectDefaultMetrics, Registry } from "prom-client";

let shared: Registry | undefined;

export function processRegistry(): Registry {
  if (shared === undefined) {
    shared = new Registry();
    // 10 ms resolution is prom-client's default: fine enough to see a blocked loop, cheap to sample.
    collectDefaultMetrics({ register: shared, eventLoopMonitoringPrecision: 10 });
  }
  return shared;
}
