/**
 * `switchboard audit [--channel C] [--kind K] [--since 24h] [--limit N] [--json]`: who was let in
 * or turned away, who approved whom, which keys were rotated; newest first, straight from the
 * store. Entries hold ids and reasons, never message text.
 */
import { openStore } from "../store/open.ts";
import { parseDuration } from "../config/duration.ts";
import { resolveConfig } from "./config.ts";

export async function audit(options: { config?: string; json?: boolean; channel?: string; kind?: string; since?: string; limit?: string }): Promise<number> {
  const since = options.since === undefined ? undefined : parseDuration(options.since);
  if (since === undefined && options.since !== undefined) throw new Error(`audit: --since "${options.since}" is not a duration (e.g. 30m, 24h, 7d)`);
  const limit = options.limit === undefined ? 100 : Number(options.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`audit: --limit "${options.limit}" is not a positive whole number`);
  const { config } = await resolveConfig(options.config);
  const store = await openStore(config.store);
  try {
    const entries = await store.listAudit({
      ...(options.channel !== undefined ? { channel: options.channel } : {}),
      ...(options.kind !== undefined ? { kind: options.kind } : {}),
      ...(since !== undefined ? { since: Date.now() - since } : {}),
      limit,
    });
    if (options.json) console.log(JSON.stringify(entries, null, 2));
    else if (entries.length === 0) console.log("no audit entries");
    else {
      for (const e of entries) {
        const who = e.subject !== undefined ? `${e.actor ?? "?"} → ${e.subject}` : (e.actor ?? "");
        const extra = [e.sessionId !== undefined ? `session ${e.sessionId}` : "", e.reason ?? ""].filter(Boolean).join("  ");
        console.log([new Date(e.at).toISOString(), e.kind.padEnd(18), (e.channel ?? "").padEnd(12), who.padEnd(28), extra].join("  ").trimEnd());
      }
    }
    return 0;
  } finally {
    await store.close();
  }
}
