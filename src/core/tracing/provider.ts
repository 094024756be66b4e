/**
 * The OpenTelemetry tracer of one gateway: its own provider (not the global one, so several
 * gateways in a process don't share exporters), exporting to an OTLP/HTTP collector or the
 * console. The SDK is loaded only here, so a gateway without tracing never loads it.
 */
import type { Tracer } from "@opentelemetry/api";
import { SwitchboardError } from "../errors.ts";
import { defaultOtlpEndpoint, type TracingConfig } from "../../config/observability.ts";

export interface TracerHandle {
  tracer: Tracer;
  /** Export what has ended so far. */
  flush(): Promise<void>;
  /** Export what is left and stop. */
  shutdown(): Promise<void>;
}

export async function createTracer(config: TracingConfig): Promise<TracerHandle> {
  const [sdk, resources] = await Promise.all([load(() => import("@opentelemetry/sdk-trace-base")), load(() => import("@opentelemetry/resources"))]);
  let processor;
  if (config.exporter === "console") {
    // One span at a time, as it ends: the console is for looking, not for throughput.
    processor = new sdk.SimpleSpanProcessor(new sdk.ConsoleSpanExporter());
  } else {
    const { OTLPTraceExporter } = await load(() => import("@opentelemetry/exporter-trace-otlp-http"));
    processor = new sdk.BatchSpanProcessor(new OTLPTraceExporter({ url: config.endpoint ?? defaultOtlpEndpoint }));
  }
  const provider = new sdk.BasicTracerProvider({
    resource: resources.resourceFromAttributes({ "service.name": config.serviceName }),
    spanProcessors: [processor],
  });
  return {
    tracer: provider.getTracer("switchboard"),
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}

async function load<T>(importer: () => Promise<T>): Promise<T> {
  try {
    return await importer();
  } catch (error) {
    throw new SwitchboardError("tracing needs the OpenTelemetry packages: npm install @opentelemetry/api @opentelemetry/sdk-trace-base @opentelemetry/resources @opentelemetry/exporter-trace-otlp-http", { cause: error });
  }
}
