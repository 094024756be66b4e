/**
 * How Meta delivers webhooks: a JSON POST signed with the app secret (`X-Hub-Signature-256`, and
 * the legacy SHA-1 `X-Hub-Signature`), which must be answered 2xx; otherwise Meta delivers the
 * same body again, immediately and then with falling frequency, for up to 7 days. The emulator
 * keeps the behaviour and compresses the waits (`redeliveryDelaysMs`).
 */
import { createHmac } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";

export interface DeliveryAttempt {
  attempt: number;
  outcome: "ok" | "http_error" | "timeout" | "connection_failed";
  status?: number;
  responseBody?: string;
  durationMs: number;
}

export interface Delivery {
  /** The wamid of the (first) message, or the status id. */
  id: string;
  body: Record<string, unknown>;
  attempts: DeliveryAttempt[];
  acked: boolean;
}

export interface WebhookDeliveryOptions {
  appSecret: string;
  redeliveryDelaysMs: number[];
  timeoutMs: number;
  signal: AbortSignal;
}

/** The headers Meta signs a webhook body with. */
export function metaSignatureHeaders(appSecret: string, body: string): Record<string, string> {
  return {
    "x-hub-signature-256": `sha256=${createHmac("sha256", appSecret).update(body).digest("hex")}`,
    "x-hub-signature": `sha1=${createHmac("sha1", appSecret).update(body).digest("hex")}`,
  };
}

export class WebhookDelivery {
  readonly deliveries: Delivery[] = [];
  private readonly o: WebhookDeliveryOptions;

  constructor(options: WebhookDeliveryOptions) {
    this.o = options;
  }

  /** Deliver until answered 2xx or out of redeliveries; resolves with the record. */
  async deliver(id: string, body: Record<string, unknown>, url: string | undefined): Promise<Delivery> {
    const delivery: Delivery = { id, body, attempts: [], acked: false };
    this.deliveries.push(delivery);
    // Meta escapes non-ASCII in the body it signs; mirror it so signatures cover the same bytes.
    const text = JSON.stringify(body).replace(/[\u007f-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`);
    for (let attempt = 0; attempt <= this.o.redeliveryDelaysMs.length && !this.o.signal.aborted; attempt++) {
      if (attempt > 0) await sleep(this.o.redeliveryDelaysMs[attempt - 1] ?? 0, undefined, { signal: this.o.signal }).catch(() => undefined);
      if (this.o.signal.aborted) break;
      const result = await this.post(url, text, metaSignatureHeaders(this.o.appSecret, text));
      delivery.attempts.push({ attempt, ...result });
      if (result.outcome === "ok") {
        delivery.acked = true;
        break;
      }
    }
    return delivery;
  }

  /** One POST with the given headers, as Meta sends it. */
  async post(url: string | undefined, text: string, headers: Record<string, string>): Promise<Omit<DeliveryAttempt, "attempt">> {
    const started = Date.now();
    if (!url) return { outcome: "connection_failed", durationMs: 0 };
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", "user-agent": "facebookexternalua", ...headers },
        body: text,
        signal: AbortSignal.any([AbortSignal.timeout(this.o.timeoutMs), this.o.signal]),
      });
      const responseBody = await response.text();
      return { outcome: response.ok ? "ok" : "http_error", status: response.status, responseBody, durationMs: Date.now() - started };
    } catch (error) {
      const timedOut = (error as Error).name === "TimeoutError" || (error as Error).name === "AbortError";
      return { outcome: timedOut ? "timeout" : "connection_failed", durationMs: Date.now() - started };
    }
  }
}
