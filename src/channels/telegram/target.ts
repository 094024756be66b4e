/**
 * Where a first message goes on Telegram: a chat by its numeric id (a person's private chat with
 * the bot, a group, a channel) or a public group or channel by `@username`. `getChat` confirms the
 * bot can reach it and gives the numeric id every later message of that chat carries.
 */
import type { Address } from "../../core/channel.ts";
import { RequestError } from "../../core/errors.ts";
import { botApiError, deliveryError, type TelegramApi } from "./api.ts";

export const TELEGRAM_TARGET_FORMS = "a numeric chat id (e.g. 123456789 or -1001234567890) or a public group or channel as @username";

export async function resolveTelegramTarget(api: TelegramApi, to: string): Promise<Address> {
  const target = to.trim();
  const link = /^(?:https?:\/\/)?t\.me\/([A-Za-z][A-Za-z0-9_]{3,31})\/?$/.exec(target);
  let chatId: string;
  if (/^-?\d{1,20}$/.test(target)) chatId = target;
  else if (/^@[A-Za-z][A-Za-z0-9_]{3,31}$/.test(target)) chatId = target;
  else if (link) chatId = `@${link[1]}`;
  else throw new RequestError(400, target ? `"${target}" is not a Telegram chat; write ${TELEGRAM_TARGET_FORMS}` : `no Telegram target given; write ${TELEGRAM_TARGET_FORMS}`);

  let chat: { id: number; type: string };
  try {
    chat = await api.getChat(chatId);
  } catch (error) {
    const refusal = botApiError(error);
    if (refusal?.error_code === 400 && /chat not found/i.test(refusal.description)) {
      throw new RequestError(
        404,
        chatId.startsWith("@")
          ? `no public Telegram group or channel ${chatId} that the bot can see (private chats are reached by their numeric id)`
          : `the bot has no chat ${chatId}: a person must write to the bot first, and a group or channel must add it`,
      );
    }
    if (refusal?.error_code === 403) throw new RequestError(422, `the bot cannot write to ${chatId}: ${refusal.description}`);
    throw deliveryError("getChat", error);
  }
  const conversation = String(chat.id);
  // In a private chat the chat id is the person's id: a reply there comes from them.
  return chat.type === "private" ? { conversation, user: conversation } : { conversation };
}
