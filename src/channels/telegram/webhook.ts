/**
 * Webhook ingress at `POST /channels/<id>`. Telegram does not sign bodies; it sends the
 * `secret_token` given to `setWebhook` in `X-Telegram-Bot-Api-Secret-Token`, compared here in
 * constant time (TLS protects the body on the way). The answer is 200 only after the durable
 * accept; anything else makes Telegram deliver the update again.
 */
import type { Update } from "grammy/types";
import { z } from "zod";
import type { ChannelRequest } from "../../core/channel.ts";
import { errorResponse, json, readWebhookBody, secretsEqual } from "../../core/http-io.ts";
import type { Logger } from "../../core/log.ts";
import type { IngestOutcome } from "./ingest.ts";

export const SECRET_TOKEN_HEADER = "x-telegram-bot-api-secret-token";

/** The parts of an update the channel reads; the rest passes through untouched. */
const updateShape = z.looseObject({
  update_id: z.number().int().nonnegative(),
  message: z
    .looseObject({
      message_id: z.number().int(),
      date: z.number().int(),
      chat: z.looseObject({ id: z.number().int(), type: z.enum(["private", "group", "supergroup", "channel"]) }),
      from: z.looseObject({ id: z.number().int(), is_bot: z.boolean(), first_name: z.string() }).optional(),
      text: z.string().optional(),
      caption: z.string().optional(),
      message_thread_id: z.number().int().optional(),
      entities: z.array(z.looseObject({ type: z.string(), offset: z.number().int().nonnegative(), length: z.number().int().nonnegative() })).optional(),
    })
    .optional(),
});

export interface WebhookDeps {
  secretToken: string;
  ingest: (update: Update) => Promise<IngestOutcome>;
  log: () => Logger;
}

export async function handleWebhook(req: ChannelRequest, deps: WebhookDeps): Promise<Response> {
  if (req.subpath !== "/" && req.subpath !== "") return errorResponse(404, `no such path: ${req.subpath} (Telegram POSTs to the channel's own URL)`);
  const given = req.request.headers.get(SECRET_TOKEN_HEADER);
  if (given === null || !secretsEqual(given, deps.secretToken)) {
    deps.log().warn("Telegram webhook refused: wrong or missing secret token", { hasHeader: given !== null });
    return errorResponse(401, "wrong or missing X-Telegram-Bot-Api-Secret-Token");
  }
  const body = await readWebhookBody(req.request, req.bodyLimit, "Telegram updates");
  if (body instanceof Response) return body;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body).toString("utf8"));
  } catch {
    return errorResponse(400, "the body is not JSON");
  }
  const update = updateShape.safeParse(parsed);
  if (!update.success) return errorResponse(400, `not a Telegram update: ${update.error.issues[0]?.path.join(".") || "body"} ${update.error.issues[0]?.message ?? ""}`.trim());
  try {
    const outcome = await deps.ingest(update.data as unknown as Update);
    return json({ ok: true, status: outcome.status });
  } catch (error) {
    deps.log().warn("Telegram update not accepted; Telegram will deliver it again", { updateId: update.data.update_id, error });
    return errorResponse(503, "not accepted; try again");
  }
}
