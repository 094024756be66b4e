/**
 * Webhook delivery as GitHub does it for an App: a JSON POST with X-GitHub-Event,
 * X-GitHub-Delivery (a GUID), X-GitHub-Hook-ID, X-GitHub-Hook-Installation-Target-Type
 * (`integration`) and -ID (the App id), and HMAC signatures of the raw body in X-Hub-Signature-256
 * (and the legacy sha1 X-Hub-Signature). GitHub waits 10 s for an answer and never retries on its
 * own; "Redeliver" sends the same GUID and the same bytes again. Deliveries go out one at a time,
 * in the order the events happened.
 */
import { createHmac, randomBytes, randomInt, randomUUID } from "node:crypto";

export interface DeliveryRecord {
  /** The X-GitHub-Delivery GUID (shared by a delivery and its redeliveries). */
  id: string;
  event: string;
  action: string;
  /** HTTP status of the receiver's answer; 0 while in flight, or if the POST failed or timed out. */
  status: number;
  payload: Record<string, unknown>;
  /** Sent by `redeliver`. */
  redelivery: boolean;
}

/** GitHub gives a receiver 10 seconds to answer. */
export const DELIVERY_TIMEOUT_MS = 10_000;

/** The signature headers GitHub computes over the raw body (none without a secret). */
export function hubSignatures(secret: string, body: string): Record<string, string> {
  if (!secret) return {};
  return {
    "x-hub-signature": `sha1=${createHmac("sha1", secret).update(body).digest("hex")}`,
    "x-hub-signature-256": `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`,
  };
}

export class WebhookSender {
  readonly deliveries: DeliveryRecord[] = [];
  readonly hookId = randomInt(100_000_000, 999_999_999);
  url: string | undefined;
  secret = "";
  private readonly appId: number;
  private readonly userAgent = `GitHub-Hookshot/${randomBytes(4).toString("hex").slice(0, 7)}`;
  private readonly sent = new Map<string, { event: string; body: string }>();
  private readonly stopping = new AbortController();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(appId: number) {
    this.appId = appId;
  }

  configure(url: string | undefined, secret: string | undefined): void {
    this.url = url;
    this.secret = secret ?? "";
  }

  /** Queue a delivery of this event (no-op without a webhook URL). */
  send(event: string, payload: Record<string, unknown>): DeliveryRecord | undefined {
    if (!this.url) return undefined;
    const id = randomUUID();
    const body = JSON.stringify(payload);
    this.sent.set(id, { event, body });
    return this.enqueue(id, event, body, payload, false);
  }

  /** Send a past delivery again, same GUID and body; resolves with the receiver's status (0: failed). */
  async redeliver(deliveryId: string): Promise<number> {
    const original = this.sent.get(deliveryId);
    if (!original) throw new Error(`github emulator: no delivery ${deliveryId} to redeliver`);
    const payload = JSON.parse(original.body) as Record<string, unknown>;
    const record = this.enqueue(deliveryId, original.event, original.body, payload, true);
    await this.idle();
    return record?.status ?? 0;
  }

  /** Resolves when every queued delivery has been answered or has failed. */
  async idle(): Promise<void> {
    let seen: Promise<unknown>;
    do {
      seen = this.queue;
      await seen;
    } while (seen !== this.queue);
  }

  close(): void {
    this.stopping.abort();
  }

  private enqueue(id: string, event: string, body: string, payload: Record<string, unknown>, redelivery: boolean): DeliveryRecord | undefined {
    const url = this.url;
    if (!url) return undefined;
    const record: DeliveryRecord = { id, event, action: typeof payload.action === "string" ? payload.action : "", status: 0, payload, redelivery };
    this.deliveries.push(record);
    this.queue = this.queue.then(async () => {
      record.status = await this.post(url, id, event, body);
    });
    return record;
  }

  private async post(url: string, id: string, event: string, body: string): Promise<number> {
    if (this.stopping.signal.aborted) return 0;
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: {
          accept: "*/*",
          "content-type": "application/json",
          "user-agent": this.userAgent,
          "x-github-event": event,
          "x-github-delivery": id,
          "x-github-hook-id": String(this.hookId),
          "x-github-hook-installation-target-type": "integration",
          "x-github-hook-installation-target-id": String(this.appId),
          ...hubSignatures(this.secret, body),
        },
        body,
        signal: AbortSignal.any([AbortSignal.timeout(DELIVERY_TIMEOUT_MS), this.stopping.signal]),
      });
      await response.arrayBuffer().catch(() => undefined);
      return response.status;
    } catch {
      return 0;
    }
  }
}
