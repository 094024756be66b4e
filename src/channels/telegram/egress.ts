/**
 * Outbound Telegram: `sendMessage` into the chat (and forum topic) the question came from,
 * `editMessageText` for streaming, `sendChatAction` for "typing…". In groups the first part of
 * a reply quotes the question, so it is clear who is being answered.
 */
import type { Address, OutboundMessage, SentMessage } from "../../core/channel.ts";
import { DeliveryError } from "../../core/errors.ts";
import type { Logger } from "../../core/log.ts";
import { botApiError, deliveryError, isNotModified, type TelegramApi } from "./api.ts";
import type { TelegramFormat } from "./format.ts";

export interface EgressSettings {
  format: TelegramFormat;
  /** Show link previews under replies; off by default (an agent's links are references, not the point). */
  linkPreviews: boolean;
}

export class TelegramEgress {
  private readonly api: TelegramApi;
  private readonly settings: EgressSettings;
  private readonly log: Logger;

  constructor(api: TelegramApi, settings: EgressSettings, log: Logger) {
    this.api = api;
    this.settings = settings;
    this.log = log;
  }

  private get parseMode(): "MarkdownV2" | "HTML" {
    return this.settings.format === "html" ? "HTML" : "MarkdownV2";
  }

  async send(message: OutboundMessage): Promise<SentMessage> {
    const { to, text } = message;
    const firstPart = /:(0|stream)$/.test(message.idempotencyKey);
    const quote = firstPart && to.ref !== undefined && isGroupChat(to.conversation);
    const options = {
      parse_mode: this.parseMode,
      link_preview_options: { is_disabled: !this.settings.linkPreviews },
      ...(to.thread !== undefined ? { message_thread_id: Number(to.thread) } : {}),
      ...(quote ? { reply_parameters: { message_id: Number(to.ref), allow_sending_without_reply: true } } : {}),
    };
    try {
      const sent = await this.api.sendMessage(to.conversation, text, options);
      return { platformId: String(sent.message_id) };
    } catch (error) {
      // A group upgraded to a supergroup has a new id; Telegram names it, so the reply still arrives.
      const movedTo = botApiError(error)?.parameters?.migrate_to_chat_id;
      if (movedTo === undefined) throw deliveryError("sendMessage", error);
      this.log.warn("Telegram group moved to a supergroup; replying there", { from: to.conversation, to: movedTo });
      try {
        const sent = await this.api.sendMessage(movedTo, text, options);
        return { platformId: String(sent.message_id) };
      } catch (retryError) {
        throw deliveryError("sendMessage", retryError);
      }
    }
  }

  async edit(to: Address, sent: SentMessage, text: string): Promise<void> {
    if (sent.platformId === undefined) throw new DeliveryError("cannot edit a Telegram message without its id", { retryable: false });
    try {
      await this.api.editMessageText(to.conversation, Number(sent.platformId), text, {
        parse_mode: this.parseMode,
        link_preview_options: { is_disabled: !this.settings.linkPreviews },
      });
    } catch (error) {
      // The final reply equal to the last streamed text: nothing to change, nothing failed.
      if (isNotModified(error)) return;
      throw deliveryError("editMessageText", error);
    }
  }

  /** "typing…" for about five seconds; a chat action never fails a turn. */
  async typing(to: Address): Promise<void> {
    try {
      await this.api.sendChatAction(to.conversation, "typing", to.thread !== undefined ? { message_thread_id: Number(to.thread) } : {});
    } catch (error) {
      this.log.debug("Telegram typing action not shown", { error: deliveryError("sendChatAction", error).message });
    }
  }
}

/** Group and supergroup ids are negative; users' (private chats') are positive. */
function isGroupChat(chatId: string): boolean {
  return chatId.startsWith("-");
}
