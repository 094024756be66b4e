/**
 * A Node request body as a web stream, with what `Readable.toWeb` does not give: a body the
 * handler did not read to the end (a 413, a 401 before the body) is read on and thrown away, so
 * the client finishes sending, gets its answer, and the next request on the kept-alive connection
 * starts where it should. Cancelling it (readBody past its limit) does the same instead of
 * destroying the socket. Only a body past `discardLimit` ends the connection.
 */
import type { IncomingMessage } from "node:http";

/** What is read and thrown away at most, past what the handler took, before the connection is closed. */
export const DISCARD_LIMIT = 64 * 1024 * 1024;

export interface RequestBody {
  stream: ReadableStream<Uint8Array>;
  /** Throw away whatever the handler left unread (called once the response is on its way). */
  discardRest(): void;
}

export function requestBody(req: IncomingMessage, discardLimit = DISCARD_LIMIT): RequestBody {
  let discarding = false;
  let discarded = 0;
  let closed = false;
  const discardRest = () => {
    if (discarding || req.complete || req.destroyed) return;
    discarding = true;
    req.resume();
  };
  req.on("data", (chunk: Buffer) => {
    if (!discarding) return;
    discarded += chunk.byteLength;
    if (discarded > discardLimit) req.socket.destroy();
  });
  const stream = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        req.pause();
        req.on("data", (chunk: Buffer) => {
          if (discarding || closed) return;
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          // Backpressure: stop reading the socket until the handler asks for more.
          if ((controller.desiredSize ?? 1) <= 0) req.pause();
        });
        req.once("end", () => {
          if (discarding || closed) return;
          closed = true;
          controller.close();
        });
        req.once("error", (error) => {
          if (discarding || closed) return;
          closed = true;
          controller.error(error);
        });
      },
      pull() {
        if (!discarding) req.resume();
      },
      cancel() {
        closed = true;
        discardRest();
      },
    },
    { highWaterMark: 1 },
  );
  return { stream, discardRest };
}
