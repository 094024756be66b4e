/**
 * The Bot API methods the Telegram channel uses, with Telegram's answers: `{ok:true,result}`,
 * or `{ok:false,error_code,description[,parameters]}` with the real descriptions (chat not
 * found, can't parse entities, message is not modified, Too Many Requests: retry after N, …).
 */
import type { Message, Update, User } from "grammy/types";
import { parseText } from "./markup.ts";
import type { ApiFailure, UpdateQueue } from "./updates.ts";
import { chatFullInfo, chatShape, type Chat, type Conversations, type SentRecord } from "./conversations.ts";

export const MAX_TEXT_LENGTH = 4096;

export type ApiResult = { ok: true; result: unknown } | ({ ok: false } & ApiFailure);

export interface InjectedFailure {
  method: string;
  failure: ApiFailure;
}

export interface BotApiDeps {
  bot: User;
  conversations: Conversations;
  updates: UpdateQueue;
  /** Failures to answer next, first in first out, per method ("*" for any). */
  failures: InjectedFailure[];
  /** Every call, for tests. */
  calls: Array<{ method: string; params: Record<string, unknown> }>;
}

const ok = (result: unknown): ApiResult => ({ ok: true, result });
const fail = (error_code: number, description: string, parameters?: Record<string, number>): ApiResult => ({ ok: false, error_code, description, ...(parameters ? { parameters } : {}) });

export async function callMethod(deps: BotApiDeps, method: string, params: Record<string, unknown>, gone: Promise<void>): Promise<ApiResult> {
  deps.calls.push({ method, params });
  const injected = deps.failures.findIndex((f) => f.method === method || f.method === "*");
  if (injected >= 0) {
    const [{ failure }] = deps.failures.splice(injected, 1) as [InjectedFailure];
    return { ok: false, ...failure };
  }
  switch (method) {
    case "getMe":
      return ok(deps.bot);
    case "getUpdates": {
      const result = await deps.updates.getUpdates({ offset: num(params.offset), limit: num(params.limit), timeout: num(params.timeout) }, gone);
      return Array.isArray(result) ? ok(result) : { ok: false, ...result };
    }
    case "setWebhook": {
      const url = str(params.url);
      if (!url) {
        deps.updates.setWebhook(undefined);
        return { ok: true, result: true, description: "Webhook was deleted" } as ApiResult;
      }
      const secret = str(params.secret_token);
      if (secret !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secret)) return fail(400, "Bad Request: secret token contains unallowed characters");
      deps.updates.setWebhook({ url, ...(secret !== undefined ? { secretToken: secret } : {}) });
      return { ok: true, result: true, description: "Webhook was set" } as ApiResult;
    }
    case "deleteWebhook":
      deps.updates.setWebhook(undefined);
      return { ok: true, result: true, description: "Webhook was deleted" } as ApiResult;
    case "getWebhookInfo":
      return ok({ url: deps.updates.webhook?.url ?? "", has_custom_certificate: false, pending_update_count: deps.updates.unconfirmed.length });
    case "getChat": {
      const chat = deps.conversations.chat(params.chat_id);
      return chat ? ok(chatFullInfo(chat)) : fail(400, "Bad Request: chat not found");
    }
    case "sendMessage":
      return sendMessage(deps, params);
    case "editMessageText":
      return editMessageText(deps, params);
    case "sendChatAction": {
      const chat = deps.conversations.chat(params.chat_id);
      if (!chat) return fail(400, "Bad Request: chat not found");
      deps.conversations.actions.push({ chatId: chat.id, action: str(params.action) ?? "", ...(num(params.message_thread_id) !== undefined ? { threadId: num(params.message_thread_id)! } : {}) });
      return ok(true);
    }
    default:
      return fail(404, "Not Found");
  }
}

function checkText(text: string | undefined, parseMode: string | undefined): { text: string; entities: unknown[] } | ApiResult {
  if (text === undefined || text === "") return fail(400, "Bad Request: message text is empty");
  const parsed = parseText(text, parseMode);
  if (!parsed.ok) return fail(400, parsed.error);
  if (!parsed.text.trim()) return fail(400, "Bad Request: message text is empty");
  if (parsed.text.length > MAX_TEXT_LENGTH) return fail(400, "Bad Request: message is too long");
  return { text: parsed.text, entities: parsed.entities };
}

function sendMessage(deps: BotApiDeps, params: Record<string, unknown>): ApiResult {
  const chat = deps.conversations.chat(params.chat_id);
  if (!chat) return fail(400, "Bad Request: chat not found");
  if (chat.migratedTo !== undefined) return fail(400, "Bad Request: group chat was upgraded to a supergroup chat", { migrate_to_chat_id: chat.migratedTo });
  const checked = checkText(str(params.text), str(params.parse_mode));
  if ("ok" in checked) return checked;
  const threadId = num(params.message_thread_id);
  if (threadId !== undefined && !(chat.isForum && chat.topics.has(threadId))) return fail(400, "Bad Request: message thread not found");
  const reply = params.reply_parameters as { message_id?: number; allow_sending_without_reply?: boolean } | undefined;
  const replyTo = reply?.message_id !== undefined ? deps.conversations.message(chat.id, reply.message_id) : undefined;
  if (reply?.message_id !== undefined && !replyTo && !reply.allow_sending_without_reply) return fail(400, "Bad Request: message to be replied not found");
  const message = deps.conversations.record(chat, {
    // In a channel a post is the channel's own: it has a sender_chat and no from.
    ...(chat.type === "channel" ? { sender_chat: chatShape(chat) } : { from: deps.bot }),
    text: checked.text,
    ...(checked.entities.length > 0 ? { entities: checked.entities as Message["entities"] } : {}),
    ...(threadId !== undefined ? { message_thread_id: threadId, is_topic_message: true } : {}),
    ...(replyTo ? { reply_to_message: replyTo } : {}),
  });
  const record: SentRecord = { chatId: chat.id, messageId: message.message_id, text: checked.text, source: str(params.text)!, parseMode: str(params.parse_mode), threadId, replyTo: replyTo?.message_id, edits: [], message };
  deps.conversations.sent.push(record);
  return ok(message);
}

function editMessageText(deps: BotApiDeps, params: Record<string, unknown>): ApiResult {
  const chat = deps.conversations.chat(params.chat_id);
  if (!chat) return fail(400, "Bad Request: chat not found");
  const record = deps.conversations.sent.find((s) => s.chatId === chat.id && s.messageId === num(params.message_id));
  if (!record) return fail(400, "Bad Request: message to edit not found");
  const checked = checkText(str(params.text), str(params.parse_mode));
  if ("ok" in checked) return checked;
  if (checked.text === record.text && JSON.stringify(checked.entities) === JSON.stringify(record.message.entities ?? [])) {
    return fail(400, "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message");
  }
  record.edits.push(record.text);
  record.text = checked.text;
  record.source = str(params.text)!;
  record.message = { ...record.message, text: checked.text, entities: checked.entities as Message["entities"], edit_date: Math.floor(Date.now() / 1000) } as Message.TextMessage;
  return ok(record.message);
}

function num(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : typeof value === "number" ? String(value) : undefined;
}

export type { Chat, Update };
