/**
 * A tiny chat platform on loopback for outbox tests, and the channel that talks to it.
 * The platform takes `POST /send {key, text}` and answers from a script (429 with Retry-After,
 * 5xx, 4xx, or 200); it records every delivery it accepted. The channel turns those answers
 * into DeliveryErrors exactly as a real adapter would.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Address, Channel, ChannelContext, ChannelRequest, OutboundMessage, SentMessage } from "../../src/core/channel.ts";
import { DeliveryError } from "../../src/core/errors.ts";
import { makeEnvelope } from "../../src/core/envelope.ts";
import { errorResponse, json, readJson } from "../../src/core/http-io.ts";

export interface Delivery {
  key: string;
  text: string;
  at: number;
}

export type PlatformAnswer = { status: number; retryAfter?: number };

export class LoopbackPlatform {
  readonly delivered: Delivery[] = [];
  /** Edits of delivered messages, in order: which message (its id) got which text. */
  readonly edits: Array<{ id: string; text: string; at: number }> = [];
  readonly attempts: Array<{ key: string; at: number; status: number }> = [];
  /** Answers for the next attempts, in order; when empty, every attempt succeeds. */
  script: PlatformAnswer[] = [];
  /** Answer this to everything while set (an outage). */
  down: PlatformAnswer | undefined;
  private server: Server | undefined;
  url = "";

  async start(port = 0): Promise<this> {
    this.server = createServer((req, res) => {
      let body = "";
      req.on("data", (d) => (body += d));
      req.on("end", () => {
        if (req.url === "/edit") {
          const { id, text } = JSON.parse(body) as { id: string; text: string };
          this.edits.push({ id, text, at: Date.now() });
          res.writeHead(200, { "content-type": "application/json" });
          res.end(JSON.stringify({ ok: true }));
          return;
        }
        const { key, text } = JSON.parse(body) as { key: string; text: string };
        const answer = this.down ?? this.script.shift() ?? { status: 200 };
        this.attempts.push({ key, at: Date.now(), status: answer.status });
        if (answer.status === 200) this.delivered.push({ key, text, at: Date.now() });
        const headers: Record<string, string> = { "content-type": "application/json" };
        if (answer.retryAfter !== undefined) headers["retry-after"] = String(answer.retryAfter);
        res.writeHead(answer.status, headers);
        res.end(JSON.stringify(answer.status === 200 ? { ok: true, id: `msg-${this.delivered.length}` } : { ok: false, error: "rate_limited_or_broken" }));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

export class LoopbackChannel implements Channel {
  readonly type = "loopback";
  readonly capabilities: { edit: boolean; stream: boolean; threads: boolean; typing: boolean };
  readonly maxMessageLength: number;
  readonly id: string;
  private readonly platformUrl: string;
  private ctx: ChannelContext | undefined;

  /** Set when the channel may edit sent messages, as streaming by edits needs. */
  readonly edit: ((to: Address, sent: SentMessage, text: string) => Promise<void>) | undefined;
  readonly streamEditIntervalMs = 100;

  constructor(options: { id: string; platformUrl: string; maxMessageLength?: number; editable?: boolean }) {
    this.id = options.id;
    this.platformUrl = options.platformUrl;
    this.maxMessageLength = options.maxMessageLength ?? 200;
    this.capabilities = { edit: options.editable === true, stream: options.editable === true, threads: false, typing: false };
    this.edit = options.editable
      ? async (_to, sent, text) => {
          const response = await fetch(`${this.platformUrl}/edit`, { method: "POST", body: JSON.stringify({ id: sent.platformId, text }) });
          if (!response.ok) throw new DeliveryError(`edit failed: ${response.status}`, { retryable: true });
        }
      : undefined;
  }

  async start(ctx: ChannelContext): Promise<void> {
    this.ctx = ctx;
  }

  async stop(): Promise<void> {
    this.ctx = undefined;
  }

  /** Webhook ingress: acknowledged (200) only after the durable accept. */
  async handleRequest({ request, bodyLimit }: ChannelRequest): Promise<Response> {
    if (!this.ctx) return errorResponse(503, "not started");
    const body = (await readJson(request, bodyLimit)) as { user: string; text: string; id: string };
    const result = await this.ctx.accept(makeEnvelope({ channel: this.id, source: this.type, eventId: body.id, sender: { id: body.user }, text: body.text }));
    return json({ ok: true, status: result.status });
  }

  format(markdown: string): string {
    return markdown;
  }

  async send(message: OutboundMessage): Promise<SentMessage> {
    const response = await fetch(`${this.platformUrl}/send`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ key: message.idempotencyKey, text: message.text }),
    }).catch((cause: unknown) => {
      throw new DeliveryError("platform unreachable", { retryable: true, cause });
    });
    const body = (await response.json()) as { id?: string };
    if (response.status === 429) {
      const retryAfter = Number(response.headers.get("retry-after") ?? "1");
      throw new DeliveryError("rate limited", { retryable: true, retryAfterMs: retryAfter * 1000 });
    }
    if (response.status >= 500) throw new DeliveryError(`platform error ${response.status}`, { retryable: true });
    if (response.status >= 400) throw new DeliveryError(`platform refused: ${response.status}`, { retryable: false });
    return { platformId: body.id };
  }
}
