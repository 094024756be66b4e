/**
 * The Graph API subset of the WhatsApp Cloud API: send messages (text, template, read receipts with
 * the typing indicator), media lookup and download. It enforces what Meta enforces and answers with
 * Meta's error shape and codes: 190 bad token, 100 bad parameter, 131047 outside the 24-hour
 * window, 130429 over the number's throughput, 131056 pair rate, 132001 unknown template.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { randomBytes } from "node:crypto";
import { readText } from "../read-body.ts";
import { wamid } from "./payloads.ts";

export const MAX_TEXT_LENGTH = 4096;
export const WINDOW_MS = 24 * 3_600_000;

export interface SentRecord {
  id: string;
  to: string;
  type: "text" | "template";
  text?: string;
  previewUrl?: boolean;
  template?: { name: string; language: string };
  at: number;
}

export interface ReadRecord {
  messageId: string;
  typing: boolean;
  at: number;
}

export interface GraphCall {
  method: string;
  path: string;
  status: number;
  code?: number;
}

/** An injected failure: a Graph error code (HTTP 400 unless `status` says otherwise). */
export interface InjectedError {
  code: number;
  status?: number;
  message?: string;
  retryAfterSeconds?: number;
}

export interface GraphState {
  accessToken: string;
  phoneNumberId: string;
  baseUrl: () => string;
  now: () => number;
  lastInbound: Map<string, number>;
  inboundIds: Set<string>;
  templates: Set<string>;
  media: Map<string, { content: Buffer; mimeType: string }>;
  failures: InjectedError[];
  messagesPerSecond: number;
  /** Least time between two messages to one user; 0 turns the pair rate check off. */
  pairRateMs: number;
  sent: SentRecord[];
  reads: ReadRecord[];
  calls: GraphCall[];
  onSent: (record: SentRecord) => void;
}

const messages: Record<number, string> = {
  190: "Invalid OAuth access token - Cannot parse access token",
  100: "(#100) Invalid parameter",
  130429: "(#130429) Rate limit hit",
  131056: "(#131056) (Business Account, Consumer Account) pair rate limit hit",
  131047: "(#131047) Re-engagement message",
  132001: "(#132001) Template name does not exist in the translation",
  131000: "(#131000) Something went wrong",
};

const details: Record<number, string> = {
  130429: "Cloud API message throughput has been reached.",
  131056: "Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.",
  131047: "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
};

export function graphError(res: ServerResponse, status: number, code: number, message?: string, extra: { subcode?: number; headers?: Record<string, string> } = {}): void {
  const body = {
    error: {
      message: message ?? messages[code] ?? `(#${code}) Error`,
      type: "OAuthException",
      code,
      ...(extra.subcode !== undefined ? { error_subcode: extra.subcode } : {}),
      ...(details[code] ? { error_data: { messaging_product: "whatsapp", details: details[code] } } : {}),
      fbtrace_id: randomBytes(12).toString("base64url"),
    },
  };
  const auth: Record<string, string> = code === 190 ? { "www-authenticate": 'OAuth "Facebook Platform" "invalid_token"' } : {};
  res.writeHead(status, { "content-type": "application/json", ...auth, ...extra.headers });
  res.end(JSON.stringify(body));
}

function ok(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

/** Handles `/v…/…` Graph paths and `/media/…` downloads; returns false for other paths. */
export async function handleGraph(state: GraphState, req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
  const parts = path.split("/").filter(Boolean);
  const record = (status: number, code?: number) => state.calls.push({ method: req.method ?? "GET", path, status, ...(code !== undefined ? { code } : {}) });
  const fail = (status: number, code: number, message?: string, extra?: { subcode?: number; headers?: Record<string, string> }) => {
    record(status, code);
    graphError(res, status, code, message, extra);
  };
  if (parts[0] === "media" && parts[1] && req.method === "GET") {
    const file = state.media.get(parts[1]);
    if (req.headers.authorization !== `Bearer ${state.accessToken}`) return (fail(401, 190), true);
    if (!file) return (fail(404, 100, "(#100) Media not found"), true);
    record(200);
    res.writeHead(200, { "content-type": file.mimeType });
    res.end(file.content);
    return true;
  }
  if (!/^v\d+\.\d+$/.test(parts[0] ?? "")) return false;
  if (req.headers.authorization !== `Bearer ${state.accessToken}`) return (fail(401, 190), true);

  if (req.method === "GET" && parts.length === 2) {
    const file = state.media.get(parts[1]!);
    if (!file) return (fail(400, 100, `(#100) Unsupported get request. Object with ID '${parts[1]}' does not exist`, { subcode: 33 }), true);
    record(200);
    ok(res, { messaging_product: "whatsapp", url: `${state.baseUrl()}/media/${parts[1]}`, mime_type: file.mimeType, sha256: "", file_size: file.content.length, id: parts[1] });
    return true;
  }
  if (req.method !== "POST" || parts.length !== 3 || parts[2] !== "messages") return (fail(400, 100, "(#100) Unsupported request"), true);
  if (parts[1] !== state.phoneNumberId) {
    return (fail(400, 100, `(#100) Unsupported post request. Object with ID '${parts[1]}' does not exist, cannot be loaded due to missing permissions, or does not support this operation`, { subcode: 33 }), true);
  }
  let body: Record<string, any>;
  try {
    body = JSON.parse(await readText(req)) as Record<string, any>;
  } catch {
    return (fail(400, 100, "(#100) The parameter messaging_product is required."), true);
  }
  if (body.messaging_product !== "whatsapp") return (fail(400, 100, "(#100) The parameter messaging_product is required."), true);

  if (body.status === "read") {
    if (typeof body.message_id !== "string" || !state.inboundIds.has(body.message_id)) return (fail(400, 100, "(#100) Invalid parameter: message_id"), true);
    if (body.typing_indicator !== undefined && body.typing_indicator?.type !== "text") return (fail(400, 100, "(#100) Invalid parameter: typing_indicator.type"), true);
    state.reads.push({ messageId: body.message_id, typing: body.typing_indicator !== undefined, at: state.now() });
    record(200);
    ok(res, { success: true });
    return true;
  }

  const injected = state.failures.shift();
  if (injected) {
    const headers: Record<string, string> = injected.retryAfterSeconds !== undefined ? { "retry-after": String(injected.retryAfterSeconds) } : {};
    return (fail(injected.status ?? 400, injected.code, injected.message, { headers }), true);
  }
  const to = typeof body.to === "string" ? body.to.replace(/^\+/, "") : "";
  if (!to) return (fail(400, 100, "(#100) The parameter to is required."), true);
  const now = state.now();
  const recent = state.sent.filter((s) => s.at > now - 1000).length;
  if (recent >= state.messagesPerSecond) return (fail(400, 130429), true);
  const lastToUser = state.sent.filter((s) => s.to === to).at(-1);
  if (state.pairRateMs > 0 && lastToUser && now - lastToUser.at < state.pairRateMs) return (fail(400, 131056), true);

  let sent: SentRecord;
  if (body.type === "text") {
    const text = body.text?.body;
    if (typeof text !== "string" || text.length === 0) return (fail(400, 100, "(#100) The parameter text['body'] is required."), true);
    if (text.length > MAX_TEXT_LENGTH) return (fail(400, 100, `(#100) Param text['body'] must be at most ${MAX_TEXT_LENGTH} characters long.`), true);
    const last = state.lastInbound.get(to);
    if (last === undefined || now - last >= WINDOW_MS) return (fail(400, 131047), true);
    sent = { id: wamid(), to, type: "text", text, previewUrl: body.text?.preview_url === true, at: now };
  } else if (body.type === "template") {
    const name = body.template?.name;
    const language = body.template?.language?.code;
    if (typeof name !== "string" || typeof language !== "string" || !state.templates.has(`${name}:${language}`)) return (fail(404, 132001), true);
    sent = { id: wamid(), to, type: "template", template: { name, language }, at: now };
  } else {
    return (fail(400, 100, `(#100) Param type must be one of {TEXT, TEMPLATE} in this emulator, got ${String(body.type)}`), true);
  }
  state.sent.push(sent);
  record(200);
  ok(res, { messaging_product: "whatsapp", contacts: [{ input: body.to, wa_id: to }], messages: [{ id: sent.id, ...(sent.type === "template" ? { message_status: "accepted" } : {}) }] });
  state.onSent(sent);
  return true;
}
