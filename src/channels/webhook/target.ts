/**
 * Where a first message goes on the generic webhook: the callback URL is fixed in config, so a
 * target only names the conversation, which the callback carries as `conversation.id` (with
 * `inReplyTo: null`, since it answers nothing). A message the receiver posts back with the same
 * conversation id continues that conversation.
 */
import type { Address } from "../../core/channel.ts";
import { RequestError } from "../../core/errors.ts";

export const WEBHOOK_TARGET_FORMS = "a conversation id of up to 200 characters, which the callback carries as conversation.id";

/** As long as a conversation id the webhook accepts from callers (payload.ts), so a reply can name it back. */
const MAX_CONVERSATION_ID_LENGTH = 200;

export function resolveWebhookTarget(to: string): Address {
  const conversation = to.trim();
  if (!conversation) throw new RequestError(400, `no webhook target given; write ${WEBHOOK_TARGET_FORMS}`);
  if (conversation.length > MAX_CONVERSATION_ID_LENGTH) throw new RequestError(400, `the webhook target is ${conversation.length} characters; write ${WEBHOOK_TARGET_FORMS}`);
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f]/.test(conversation)) throw new RequestError(400, `the webhook target has control characters; write ${WEBHOOK_TARGET_FORMS}`);
  return { conversation };
}
