/**
 * Where a first message goes on WhatsApp: a phone number in E.164 (`+4915…`). WhatsApp lets a
 * business send free-form text only within 24 hours of the user's last message to it; outside
 * that window (or if the user never wrote) only an approved template may start the conversation,
 * so the target is refused here, before anything is queued.
 */
import type { Address } from "../../core/channel.ts";
import { RequestError } from "../../core/errors.ts";
import { CUSTOMER_SERVICE_WINDOW_MS, type CustomerServiceWindows } from "./window.ts";

export const WHATSAPP_TARGET_FORMS = "a phone number in international E.164 form, e.g. +4915112345678";

export async function resolveWhatsAppTarget(windows: CustomerServiceWindows, now: () => number, to: string): Promise<Address> {
  const target = to.trim();
  if (!target) throw new RequestError(400, `no WhatsApp target given; write ${WHATSAPP_TARGET_FORMS}`);
  // People write numbers with spaces, dashes, dots and brackets; E.164 has none of them.
  const compact = target.replace(/[\s\-.()]/g, "");
  if (!compact.startsWith("+")) throw new RequestError(400, `"${target}" has no country code; write ${WHATSAPP_TARGET_FORMS}`);
  if (!/^\+[1-9]\d{6,14}$/.test(compact)) throw new RequestError(400, `"${target}" is not a phone number; write ${WHATSAPP_TARGET_FORMS}`);
  // The Cloud API's wa_id: the number without the +, as the user's messages arrive from it.
  const waId = compact.slice(1);
  const last = await windows.lastInbound(waId);
  const template = "WhatsApp allows a business to send free-form messages only within 24 hours of the user's last message; a template message would be needed to write first";
  if (last === undefined) throw new RequestError(422, `${compact} has not written to this number, so ${template}`);
  if (now() - last >= CUSTOMER_SERVICE_WINDOW_MS) {
    throw new RequestError(422, `${compact} last wrote at ${new Date(last).toISOString()}, more than 24 hours ago: ${template}`);
  }
  return { conversation: waId, user: waId };
}
