/**
 * Traces on a real gateway: a message goes in over HTTP and its reply out to a loopback
 * platform; the spans are exported over OTLP/HTTP to a loopback collector and read back from
 * what it received. One message must make one trace: accept → turn → agent, and the delivery.
 */
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import { postJson, startGateway, waitFor, type TestGateway } from "../helpers/gateway.ts";
import { LoopbackChannel, LoopbackPlatform } from "../helpers/loopback-platform.ts";
import { createTracing, type GatewayTracing } from "../../src/core/tracing/index.ts";
import { tracingSchema } from "../../src/config/observability.ts";
import { silentLogger } from "../../src/core/log.ts";

interface OtlpValue {
  stringValue?: string;
  intValue?: number | string;
  arrayValue?: { values: OtlpValue[] };
}

interface ExportedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: Array<{ key: string; value: OtlpValue }>;
  links?: Array<{ traceId: string; spanId: string }>;
  status?: { code?: number; message?: string };
}

/** A collector on loopback: takes OTLP/HTTP JSON exports and keeps their spans and resources. */
class LoopbackCollector {
  readonly spans: ExportedSpan[] = [];
  readonly serviceNames: string[] = [];
  private server: Server | undefined;
  url = "";

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const raw = Buffer.concat(chunks);
        const body = req.headers["content-encoding"] === "gzip" ? gunzipSync(raw) : raw;
        assert.equal(req.url, "/v1/traces");
        assert.match(req.headers["content-type"] ?? "", /application\/json/);
        const parsed = JSON.parse(body.toString("utf8")) as {
          resourceSpans: Array<{ resource: { attributes: Array<{ key: string; value: OtlpValue }> }; scopeSpans: Array<{ spans: ExportedSpan[] }> }>;
        };
        for (const resourceSpans of parsed.resourceSpans) {
          const service = resourceSpans.resource.attributes.find((a) => a.key === "service.name")?.value.stringValue;
          if (service !== undefined) this.serviceNames.push(service);
          for (const scope of resourceSpans.scopeSpans) this.spans.push(...scope.spans);
        }
        res.writeHead(200, { "content-type": "application/json" });
        res.end("{}");
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1/traces`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

function attribute(span: ExportedSpan, key: string): string | number | string[] | undefined {
  const value = span.attributes.find((a) => a.key === key)?.value;
  if (value === undefined) return undefined;
  if (value.arrayValue) return value.arrayValue.values.map((v) => v.stringValue!);
  return value.stringValue ?? (value.intValue !== undefined ? Number(value.intValue) : undefined);
}

/** The spans whose `switchboard.message_key` (or merged keys) include `key`. */
function spansOf(collector: LoopbackCollector, key: string): ExportedSpan[] {
  return collector.spans.filter((s) => attribute(s, "switchboard.message_key") === key || (attribute(s, "switchboard.message_keys") as string[] | undefined)?.includes(key));
}

const ERROR = 2;

describe("tracing", () => {
  let platform: LoopbackPlatform;
  let collector: LoopbackCollector;
  let t: TestGateway;
  let tracing: GatewayTracing;
  /** Turns of messages saying "hold" wait here until the test lets them go. */
  let held = Promise.resolve();

  before(async () => {
    platform = await new LoopbackPlatform().start();
    collector = await new LoopbackCollector().start();
    t = await startGateway({ defaultAgent: "main", agents: {}, lanes: { busy: "collect" }, outbox: { baseDelay: "50ms", maxDelay: "100ms", maxAttempts: 3 } }, (gw) => {
      gw.addChannel(new LoopbackChannel({ id: "loop", platformUrl: platform.url }));
      gw.addAgent("main", async (input) => {
        if (input.text.includes("fail")) throw new Error("agent broke with token=abcdef123456");
        if (input.text.includes("hold")) await held;
        return `echo: ${input.text}`;
      });
    });
    const config = tracingSchema.parse({ enabled: true, endpoint: collector.url, serviceName: "switchboard-test" });
    tracing = await createTracing({ gateway: t.gw.gateway, config, log: silentLogger });
    t.gw.use({ accept: tracing.acceptMiddleware, turn: tracing.turnMiddleware });
  });
  after(async () => {
    await tracing.stop();
    await t.stop();
    await collector.stop();
    await platform.stop();
  });

  it("one message makes one trace: accept, then its turn with the agent inside, then the delivery", async () => {
    await postJson(`${t.url}/channels/loop`, { user: "tr-alice", text: "hello", id: "tr-1" });
    await waitFor(() => platform.delivered.some((d) => d.text === "echo: hello"), { what: "the reply" });
    await waitFor(async () => {
      await tracing.flush();
      return collector.spans.some((s) => s.name === "switchboard.delivery" && attribute(s, "switchboard.message_key") === "loop:tr-1");
    }, { what: "the delivery span" });

    const spans = spansOf(collector, "loop:tr-1");
    const byName = (name: string) => {
      const found = collector.spans.filter((s) => s.name === name && (spans.includes(s) || s.parentSpanId === turn?.spanId));
      assert.equal(found.length, 1, `one ${name} span`);
      return found[0]!;
    };
    const turn = spans.find((s) => s.name === "switchboard.turn");
    assert.ok(turn, "a turn span");
    const accept = byName("switchboard.accept");
    const agent = byName("switchboard.agent");
    const delivery = byName("switchboard.delivery");

    assert.equal(accept.parentSpanId || undefined, undefined, "the accept is the root");
    assert.equal(turn.parentSpanId, accept.spanId);
    assert.equal(agent.parentSpanId, turn.spanId);
    assert.equal(delivery.parentSpanId, turn.spanId);
    assert.ok([turn, agent, delivery].every((s) => s.traceId === accept.traceId), "one trace");
    assert.match(accept.traceId, /^[0-9a-f]{32}$/);

    assert.equal(attribute(accept, "switchboard.channel"), "loop");
    assert.equal(attribute(accept, "switchboard.outcome"), "accepted");
    assert.equal(attribute(turn, "switchboard.status"), "done");
    assert.equal(attribute(agent, "switchboard.agent"), "main");
    assert.equal(attribute(delivery, "switchboard.outcome"), "sent");
    assert.equal(attribute(delivery, "switchboard.attempt"), 1);
    assert.ok(BigInt(delivery.startTimeUnixNano) >= BigInt(turn.startTimeUnixNano), "the delivery follows the turn");
    assert.ok(BigInt(agent.endTimeUnixNano) <= BigInt(turn.endTimeUnixNano), "the agent runs within its turn");
    assert.ok(collector.serviceNames.includes("switchboard-test"));
  });

  it("a failed agent and a retried delivery are marked as errors; spans carry no message text and no agent error", async () => {
    platform.script = [{ status: 500 }];
    await postJson(`${t.url}/channels/loop`, { user: "tr-bob", text: "please fail", id: "tr-2" });
    await waitFor(() => platform.delivered.some((d) => d.text.startsWith("Sorry")), { what: "the apology" });
    await waitFor(async () => {
      await tracing.flush();
      return spansOf(collector, "loop:tr-2").filter((s) => s.name === "switchboard.delivery").length === 2;
    }, { what: "both delivery attempts" });

    const spans = spansOf(collector, "loop:tr-2");
    const turn = spans.find((s) => s.name === "switchboard.turn")!;
    assert.equal(attribute(turn, "switchboard.status"), "failed");
    assert.equal(turn.status?.code, ERROR);
    const agent = collector.spans.find((s) => s.name === "switchboard.agent" && s.parentSpanId === turn.spanId)!;
    assert.equal(agent.status?.code, ERROR);
    const [retried, sent] = spans.filter((s) => s.name === "switchboard.delivery").sort((a, b) => Number(attribute(a, "switchboard.attempt")) - Number(attribute(b, "switchboard.attempt")));
    assert.equal(attribute(retried!, "switchboard.outcome"), "retry");
    assert.equal(retried!.status?.code, ERROR);
    assert.equal(attribute(sent!, "switchboard.outcome"), "sent");
    assert.equal(attribute(sent!, "switchboard.attempt"), 2);
    assert.ok([retried!, sent!].every((s) => s.parentSpanId === turn.spanId));
    // What users write and what agents fail with (it may quote prompts or credentials) stays out of traces.
    assert.doesNotMatch(JSON.stringify(collector.spans), /please fail|agent broke|abcdef123456/);
  });

  it("a duplicate and a refused message get an accept span each, and no turn", async () => {
    await postJson(`${t.url}/channels/loop`, { user: "tr-carol", text: "once", id: "tr-3" });
    await postJson(`${t.url}/channels/loop`, { user: "tr-carol", text: "once", id: "tr-3" });
    await postJson(`${t.url}/channels/loop`, { user: "tr-mallory", text: "mine", id: "tr-3" });
    await waitFor(() => platform.delivered.some((d) => d.text === "echo: once"), { what: "the reply" });
    await tracing.flush();

    const accepts = spansOf(collector, "loop:tr-3").filter((s) => s.name === "switchboard.accept");
    assert.deepEqual(accepts.map((s) => attribute(s, "switchboard.outcome")).sort(), ["accepted", "duplicate", "rejected"]);
    assert.equal(attribute(accepts.find((s) => attribute(s, "switchboard.outcome") === "rejected")!, "http.response.status_code"), 409);
    assert.equal(spansOf(collector, "loop:tr-3").filter((s) => s.name === "switchboard.turn").length, 1);
    assert.equal(new Set(accepts.map((s) => s.traceId)).size, 3, "each accept is its own trace");
  });

  it("a turn that merges waiting messages continues the first one's trace and links the others'", async () => {
    let release: () => void = () => undefined;
    held = new Promise((resolve) => (release = resolve));
    const started: string[] = [];
    const unsubscribe = t.gw.gateway.events.subscribe((event) => {
      if (event.type === "turn.started") started.push(event.turnId);
    });
    try {
      const send = (text: string, id: string) => postJson(`${t.url}/channels/loop`, { user: "tr-dora", text, id });
      await send("hold on", "tr-4");
      await waitFor(() => started.length === 1, { what: "the first turn" });
      await send("second", "tr-5");
      await send("third", "tr-6");
      release();
      await waitFor(() => platform.delivered.some((d) => d.text.includes("second") && d.text.includes("third")), { what: "the merged reply" });
    } finally {
      release();
      unsubscribe();
    }
    await waitFor(async () => {
      await tracing.flush();
      return spansOf(collector, "loop:tr-6").some((s) => s.name === "switchboard.delivery");
    }, { what: "the merged turn's delivery" });

    const acceptOf = (key: string) => collector.spans.find((s) => s.name === "switchboard.accept" && attribute(s, "switchboard.message_key") === key)!;
    const merged = spansOf(collector, "loop:tr-6").find((s) => s.name === "switchboard.turn")!;
    assert.deepEqual(attribute(merged, "switchboard.message_keys"), ["loop:tr-5", "loop:tr-6"]);
    assert.equal(merged.parentSpanId, acceptOf("loop:tr-5").spanId);
    assert.equal(merged.traceId, acceptOf("loop:tr-5").traceId);
    assert.deepEqual(merged.links?.map((l) => l.spanId), [acceptOf("loop:tr-6").spanId]);
    const first = spansOf(collector, "loop:tr-4").find((s) => s.name === "switchboard.turn")!;
    assert.notEqual(first.traceId, merged.traceId, "the first message's turn is its own trace");
  });
});

describe("tracing config", () => {
  it("is off by default, exports over OTLP/HTTP when on, and says what is wrong", () => {
    assert.deepEqual(tracingSchema.parse(undefined), { enabled: false, exporter: "otlp-http", serviceName: "switchboard" });
    assert.equal(tracingSchema.parse({ enabled: "true" }).enabled, true);
    const badExporter = tracingSchema.safeParse({ exporter: "jaeger" });
    assert.match(badExporter.error?.issues[0]?.message ?? "", /must be "otlp-http" or "console"/);
    const badUrl = tracingSchema.safeParse({ endpoint: "localhost:4318" });
    assert.match(badUrl.error?.issues[0]?.message ?? "", /http\(s\) URL/);
    const consoleWithUrl = tracingSchema.safeParse({ exporter: "console", endpoint: "http://localhost:4318/v1/traces" });
    assert.deepEqual(consoleWithUrl.error?.issues[0]?.path, ["endpoint"]);
  });
});
