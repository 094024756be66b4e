/**
 * How Slack delivers events and slash commands, and retries them. Over HTTP: a signed POST that
 * must be answered 2xx within 3 s, else retried (up to 3 times) with X-Slack-Retry-Num and
 * X-Slack-Retry-Reason and the same event_id; `X-Slack-No-Retry: 1` on an error stops it. Over
 * Socket Mode: an `events_api` envelope that must be acked within 3 s, else sent again with
 * retry_attempt + 1. Slack retries "immediately, after 1 minute, after 5 minutes"; the emulator
 * keeps the order and compresses the waits (`retryDelaysMs`).
 */
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { setTimeout as sleep } from "node:timers/promises";
import { envelope, envelopeId } from "./payloads.ts";
import { signedHeaders } from "./signing.ts";
import type { SocketConnection, SocketModeHub } from "./socket-mode.ts";

export type Transport = "http" | "socket";

export interface DeliveryAttempt {
  /** 0 for the first delivery, then 1…3: the X-Slack-Retry-Num header / retry_attempt field sent. */
  retryNum: number;
  /** The X-Slack-Retry-Reason / retry_reason sent with this attempt (why the previous one failed). */
  retryReason?: string;
  transport: Transport;
  startedAt: number;
  durationMs: number;
  /**
   * ok: answered 2xx (HTTP) or acked (socket). timeout: no answer/ack within the ack window.
   * http_error: a non-2xx answer. connection_failed: nothing listening. no_connection: no Socket
   * Mode connection was open. socket_closed: the connection closed before acking.
   */
  outcome: "ok" | "timeout" | "http_error" | "connection_failed" | "no_connection" | "socket_closed";
  status?: number;
  responseBody?: string;
  envelopeId?: string;
  /** The envelope went to a silenced connection, so it never left the emulator. */
  deaf?: boolean;
}

export interface Delivery {
  eventId: string;
  transport: Transport;
  /** The Events API body: `{token, team_id, api_app_id, event, type: "event_callback", event_id, …}`. */
  body: Record<string, unknown>;
  attempts: DeliveryAttempt[];
  /** Answered 2xx (HTTP) or acked (socket) at some attempt. */
  acked: boolean;
  /** The `payload` of the socket ack, if any. */
  ackPayload?: unknown;
}

export interface HttpAnswer {
  outcome: "ok" | "http_error" | "timeout" | "connection_failed";
  status?: number;
  headers?: Record<string, string | string[] | undefined>;
  body?: string;
}

export interface DeliveryOptions {
  signingSecret: string;
  hub: SocketModeHub;
  ackTimeoutMs: number;
  retryDelaysMs: number[];
  signal: AbortSignal;
}

const USER_AGENT = "Slackbot 1.0 (+https://api.slack.com/robots)";
const HTTP_RETRY_REASON: Record<string, string> = { timeout: "http_timeout", http_error: "http_error", connection_failed: "connection_failed" };

export class EventDelivery {
  readonly deliveries: Delivery[] = [];
  private readonly o: DeliveryOptions;

  constructor(options: DeliveryOptions) {
    this.o = options;
  }

  /** Deliver one Events API body, retrying like Slack; resolves when acked or out of retries. */
  async deliver(body: Record<string, unknown>, transport: Transport, target: () => string | undefined): Promise<Delivery> {
    const delivery: Delivery = { eventId: String(body.event_id), transport, body, attempts: [], acked: false };
    this.deliveries.push(delivery);
    const text = JSON.stringify(body);
    // Any ack of any envelope of this delivery counts, even one that arrives after its attempt timed out.
    const envelopes: string[] = [];
    let ackArrived!: () => void;
    const acked = new Promise<void>((resolve) => (ackArrived = resolve));
    const onAck = (payload: unknown) => {
      if (delivery.acked) return;
      delivery.acked = true;
      delivery.ackPayload = payload;
      ackArrived();
    };
    try {
      for (let retryNum = 0; retryNum <= this.o.retryDelaysMs.length && !this.o.signal.aborted; retryNum++) {
        const previous = delivery.attempts.at(-1);
        if (previous) {
          await Promise.race([sleep(this.o.retryDelaysMs[retryNum - 1] ?? 0, undefined, { signal: this.o.signal }).catch(() => undefined), acked]);
          if (delivery.acked || this.o.signal.aborted) break;
        }
        const reason = previous ? (transport === "http" ? (HTTP_RETRY_REASON[previous.outcome] ?? "unknown_error") : "timeout") : undefined;
        if (transport === "http") {
          const url = target();
          const attempt = await this.httpAttempt(url, text, retryNum, reason);
          delivery.attempts.push(attempt);
          if (attempt.outcome === "ok") onAck(undefined);
          if (delivery.acked || attempt.noRetry) break;
        } else {
          const id = envelopeId();
          envelopes.push(id);
          this.o.hub.onAck(id, onAck);
          const frame = envelope("events_api", id, body, retryNum ? { attempt: retryNum, reason: reason! } : undefined);
          delivery.attempts.push(await this.socketAttempt(frame, id, retryNum, reason, acked));
          if (delivery.acked) break;
        }
      }
    } finally {
      for (const id of envelopes) this.o.hub.forgetAck(id);
    }
    return delivery;
  }

  private async httpAttempt(url: string | undefined, text: string, retryNum: number, reason: string | undefined): Promise<DeliveryAttempt & { noRetry?: boolean }> {
    const startedAt = Date.now();
    const headers: Record<string, string> = retryNum ? { "x-slack-retry-num": String(retryNum), "x-slack-retry-reason": reason ?? "unknown_error" } : {};
    const answer: HttpAnswer = url ? await this.post(url, text, "application/json", headers) : { outcome: "connection_failed" };
    const noRetry = answer.outcome === "http_error" && answer.headers?.["x-slack-no-retry"] === "1";
    return {
      retryNum,
      ...(reason ? { retryReason: reason } : {}),
      transport: "http",
      startedAt,
      durationMs: Date.now() - startedAt,
      outcome: answer.outcome,
      ...(answer.status !== undefined ? { status: answer.status } : {}),
      ...(answer.body !== undefined ? { responseBody: answer.body } : {}),
      ...(noRetry ? { noRetry } : {}),
    };
  }

  private async socketAttempt(frame: Record<string, unknown>, id: string, retryNum: number, reason: string | undefined, acked: Promise<void>): Promise<DeliveryAttempt> {
    const startedAt = Date.now();
    const base = { retryNum, ...(reason ? { retryReason: reason } : {}), transport: "socket" as const, startedAt, envelopeId: id };
    // With no connection open, Slack holds the event for the ack window before counting a failure.
    const connection: SocketConnection | undefined = (await this.o.hub.waitForConnection(this.o.ackTimeoutMs, this.o.signal)) ? this.o.hub.send(frame) : undefined;
    if (!connection) return { ...base, durationMs: Date.now() - startedAt, outcome: "no_connection" };
    const deaf = connection.deaf;
    const outcome = await this.waitFor(acked, connection.closed);
    return { ...base, durationMs: Date.now() - startedAt, outcome, ...(deaf ? { deaf } : {}) };
  }

  /** Wait for an ack within the ack window; a closed connection ends the wait early. */
  private async waitFor(acked: Promise<void>, closed: Promise<void>): Promise<"ok" | "timeout" | "socket_closed"> {
    const controller = new AbortController();
    const abort = () => controller.abort();
    this.o.signal.addEventListener("abort", abort, { once: true });
    try {
      return await Promise.race([
        acked.then(() => "ok" as const),
        closed.then(() => "socket_closed" as const),
        sleep(this.o.ackTimeoutMs, "timeout" as const, { signal: controller.signal }).catch(() => "timeout" as const),
      ]);
    } finally {
      controller.abort();
      this.o.signal.removeEventListener("abort", abort);
    }
  }

  /** Send a slash command over Socket Mode; Slack never retries these. */
  async socketCommand(fields: Record<string, string>): Promise<{ status: number; body: unknown }> {
    const id = envelopeId();
    let ack!: (payload: unknown) => void;
    const acked = new Promise<unknown>((resolve) => (ack = resolve));
    this.o.hub.onAck(id, (payload) => ack(payload));
    try {
      const connection = this.o.hub.send(envelope("slash_commands", id, fields));
      if (!connection) return { status: 0, body: "dispatch_failed" };
      const outcome = await this.waitFor(acked.then(() => undefined), connection.closed);
      return outcome === "ok" ? { status: 200, body: (await acked) ?? {} } : { status: 0, body: "operation_timed_out" };
    } finally {
      this.o.hub.forgetAck(id);
    }
  }

  /** POST a signed body, giving up after the ack window. Connections are not kept alive. */
  post(url: string, body: string, contentType: string, extraHeaders: Record<string, string> = {}): Promise<HttpAnswer> {
    const target = new URL(url);
    const send = target.protocol === "https:" ? httpsRequest : httpRequest;
    const headers = {
      "content-type": contentType,
      "content-length": String(Buffer.byteLength(body)),
      "user-agent": USER_AGENT,
      accept: "application/json,*/*",
      connection: "close",
      ...signedHeaders(this.o.signingSecret, body),
      ...extraHeaders,
    };
    return new Promise((resolve) => {
      let settled = false;
      const finish = (answer: HttpAnswer) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.o.signal.removeEventListener("abort", onAbort);
        resolve(answer);
      };
      const req = send(target, { method: "POST", headers, agent: false }, (res) => {
        const status = res.statusCode ?? 0;
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () => {
          finish({ outcome: status >= 200 && status < 300 ? "ok" : "http_error", status, headers: res.headers, body: text });
        });
        res.on("error", () => finish({ outcome: "timeout", status }));
      });
      // Slack stops waiting after the window and does not read a late answer.
      const timer = setTimeout(() => {
        finish({ outcome: "timeout" });
        req.destroy();
      }, this.o.ackTimeoutMs);
      const onAbort = () => {
        finish({ outcome: "timeout" });
        req.destroy();
      };
      this.o.signal.addEventListener("abort", onAbort, { once: true });
      req.on("error", () => finish({ outcome: "connection_failed" }));
      req.end(body);
    });
  }
}

/** What a slash command's caller sees of an HTTP answer: JSON parsed, text as text, failures as Slack names them. */
export function commandAnswer(answer: HttpAnswer): { status: number; body: unknown } {
  if (answer.outcome === "timeout") return { status: 0, body: "operation_timed_out" };
  if (answer.outcome === "connection_failed") return { status: 0, body: "dispatch_failed" };
  const type = String(answer.headers?.["content-type"] ?? "");
  if (type.includes("json") && answer.body) {
    try {
      return { status: answer.status ?? 0, body: JSON.parse(answer.body) };
    } catch {
      // fall through to text
    }
  }
  return { status: answer.status ?? 0, body: answer.body ?? "" };
}
