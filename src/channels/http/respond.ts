/**
 * How the HTTP API answers an accepted message: as JSON once the turn is done, as an SSE stream
 * of its events, or, with `Prefer: respond-async`, as 202 right after the durable accept.
 */
import type { ChannelContext } from "../../core/channel.ts";
import type { Envelope } from "../../core/envelope.ts";
import { awaitReply, streamReply } from "../../core/reply-stream.ts";
import { errorResponse, json, sseResponse, wantsEventStream } from "../../core/http-io.ts";

export async function respond(ctx: ChannelContext, envelope: Envelope, request: Request): Promise<Response> {
  if (wantsEventStream(request)) {
    const abort = new AbortController();
    return sseResponse(streamReply(ctx, envelope, abort.signal), () => abort.abort());
  }
  if (/\brespond-async\b/i.test(request.headers.get("prefer") ?? "")) {
    const result = await ctx.accept(envelope);
    if (result.status === "rejected") return errorResponse(result.httpStatus, result.reason, result.retryAfterMs);
    return json({ id: envelope.eventId, messageId: result.messageId, session: result.sessionId, agent: result.agent, status: result.status }, 202);
  }
  const reply = await awaitReply(ctx, envelope, request.signal);
  if ("type" in reply) return errorResponse(reply.httpStatus, reply.reason, reply.retryAfterMs);
  return json(reply);
}
