/**
 * The webhook channel's callback receiver for the cluster tests and benchmarks. It keeps every
 * raw delivery (so repeats of one callback are visible) and, as a real receiver would, counts a
 * callback once by its `Idempotency-Key`. `answered(n)` resolves once n distinct messages have
 * an answer, for waiting on a whole run.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { readText } from "../../emulators/read-body.ts";
import { now } from "./clock.ts";

export interface Delivery {
  key: string;
  /** The caller's id of the message this answers. */
  inReplyTo: string | null;
  sessionId: string;
  text: string;
  /** The instance that sent it (the `x-gateway` header of its config). */
  gateway: string;
  at: number;
}

export interface ReplyReceiver {
  url: string;
  /** Every POST, repeats included, in arrival order. */
  deliveries: Delivery[];
  /** First delivery of each Idempotency-Key. */
  distinct: Map<string, Delivery>;
  /** Message ids with at least one answer, and when the first one came. */
  answeredAt: Map<string, number>;
  answered(count: number, timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

export async function startReplyReceiver(): Promise<ReplyReceiver> {
  const deliveries: Delivery[] = [];
  const distinct = new Map<string, Delivery>();
  const answeredAt = new Map<string, number>();
  const waiters = new Set<{ count: number; resolve: () => void }>();

  const server = createServer((req, res) => {
    readText(req).then(
      (raw) => {
        const body = JSON.parse(raw) as { id: string; inReplyTo: string | null; sessionId: string; text: string };
        const delivery: Delivery = {
          key: String(req.headers["idempotency-key"] ?? body.id),
          inReplyTo: body.inReplyTo,
          sessionId: body.sessionId,
          text: body.text,
          gateway: String(req.headers["x-gateway"] ?? "?"),
          at: now(),
        };
        deliveries.push(delivery);
        if (!distinct.has(delivery.key)) distinct.set(delivery.key, delivery);
        if (delivery.inReplyTo !== null && !answeredAt.has(delivery.inReplyTo)) answeredAt.set(delivery.inReplyTo, delivery.at);
        for (const waiter of waiters) if (answeredAt.size >= waiter.count) waiter.resolve();
        res.writeHead(200, { "content-type": "application/json" });
        res.end('{"ok":true}');
      },
      () => {
        res.writeHead(400);
        res.end();
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/callbacks`,
    deliveries,
    distinct,
    answeredAt,
    answered(count, timeoutMs) {
      if (answeredAt.size >= count) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const waiter = {
          count,
          resolve: () => {
            clearTimeout(timer);
            waiters.delete(waiter);
            resolve();
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`only ${answeredAt.size} of ${count} messages were answered within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
