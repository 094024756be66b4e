/**
 * The `metrics` and `tracing` blocks of switchboard.yaml. Metrics are on by default and behind
 * the admin token; traces are off by default and go to an OTLP/HTTP collector or the console.
 */
import { z } from "zod";
import { boolean } from "./coerce.ts";

export const metricsSchema = z
  .strictObject({
    /** false: no /metrics route and nothing collected. */
    enabled: boolean.default(true),
    /** true: /metrics without the admin token (for a scraper on a private network). */
    public: boolean.default(false),
  })
  .prefault({});

/** Where OTLP/HTTP collectors listen by default (the OpenTelemetry spec's default). */
export const defaultOtlpEndpoint = "http://localhost:4318/v1/traces";

export const tracingSchema = z
  .strictObject({
    /** Spans for ingress (accept) → turn → egress (delivery), linked by the message key. */
    enabled: boolean.default(false),
    /** `otlp-http`: send to a collector at `endpoint`; `console`: print spans (for a quick look). */
    exporter: z.enum(["otlp-http", "console"], { error: 'must be "otlp-http" or "console"' }).default("otlp-http"),
    /** The collector's traces URL; default http://localhost:4318/v1/traces. */
    endpoint: z.url({ protocol: /^https?$/, error: "must be an http(s) URL such as http://localhost:4318/v1/traces" }).optional(),
    /** `service.name` on every span; default "switchboard". */
    serviceName: z.string().min(1).default("switchboard"),
  })
  .superRefine((tracing, ctx) => {
    if (tracing.exporter === "console" && tracing.endpoint !== undefined) {
      ctx.addIssue({ code: "custom", path: ["endpoint"], message: 'the console exporter has no endpoint; remove it or use exporter: "otlp-http"' });
    }
  })
  .prefault({});

export type MetricsConfig = z.output<typeof metricsSchema>;
export type TracingConfig = z.output<typeof tracingSchema>;
