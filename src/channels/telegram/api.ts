/**
 * The Bot API client (grammY's `Api`, loaded only when a Telegram channel starts) and what its
 * failures mean for delivery. grammY does not retry by itself; the gateway's outbox does, so
 * each failure becomes a DeliveryError that says whether trying again can help, and when
 * (Telegram's `parameters.retry_after` on a 429).
 */
import type { Api } from "grammy";
import { DeliveryError } from "../../core/errors.ts";
import { scrub } from "../../core/log.ts";

export const TELEGRAM_API_ROOT = "https://api.telegram.org";

export type TelegramApi = Api;
type GrammyModule = { Api: typeof Api };

export async function createTelegramApi(token: string, options: { apiRoot?: string; timeoutSeconds?: number } = {}): Promise<TelegramApi> {
  let grammy: GrammyModule;
  try {
    grammy = await import("grammy");
  } catch (error) {
    throw new Error('the Telegram channel needs the "grammy" package: npm install grammy', { cause: error });
  }
  return new grammy.Api(token, { apiRoot: options.apiRoot ?? TELEGRAM_API_ROOT, ...(options.timeoutSeconds !== undefined ? { timeoutSeconds: options.timeoutSeconds } : {}) });
}

/** Telegram's error answer, as grammY's GrammyError carries it. */
export interface BotApiError {
  error_code: number;
  description: string;
  parameters?: { retry_after?: number; migrate_to_chat_id?: number };
}

export function botApiError(error: unknown): BotApiError | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const e = error as Partial<BotApiError>;
  return typeof e.error_code === "number" && typeof e.description === "string" ? (e as BotApiError) : undefined;
}

/** An edit that changes nothing: Telegram says so with a 400, and it is not a failure. */
export function isNotModified(error: unknown): boolean {
  return botApiError(error)?.description.includes("message is not modified") === true;
}

/** What to tell the operator for Telegram errors that do not say how to fix them. */
const hints: Array<[RegExp, string]> = [
  [/can't parse entities/i, "the reply's formatting did not parse; this is a bug in the markdown conversion, please report it (format: html works around it)"],
  [/chat not found/i, "the chat does not exist, or the bot was never added to it"],
  [/bot was blocked by the user/i, "the user blocked the bot"],
  [/bot was kicked|not a member/i, "the bot was removed from the group"],
  [/not enough rights/i, "give the bot the right to send messages in this chat"],
  [/message thread not found/i, "the forum topic was deleted or closed"],
  [/message is too long/i, "the message is over Telegram's 4,096-character limit"],
];

/** Turn any Bot API failure into a DeliveryError; never includes the token. */
export function deliveryError(method: string, error: unknown): DeliveryError {
  const api = botApiError(error);
  if (api) {
    const retryAfter = api.parameters?.retry_after;
    if (api.error_code === 429) {
      const seconds = retryAfter ?? 1;
      return new DeliveryError(`Telegram rate-limited ${method}; retry after ${seconds} s`, { retryable: true, retryAfterMs: seconds * 1000, status: 429 });
    }
    if (api.error_code === 401) return new DeliveryError(`Telegram ${method} failed: ${api.description}: the bot token is wrong or revoked (channels.<id>.botToken)`, { retryable: false });
    const hint = hints.find(([pattern]) => pattern.test(api.description))?.[1];
    return new DeliveryError(`Telegram ${method} failed: ${api.description}${hint ? `: ${hint}` : ""}`, {
      retryable: api.error_code >= 500 || api.error_code === 409,
      status: api.error_code >= 500 ? 502 : api.error_code,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  // Network failures (grammY's HttpError) may go away by themselves.
  return new DeliveryError(`Telegram ${method} failed: ${scrub(message)}`, { retryable: true, cause: error });
}
