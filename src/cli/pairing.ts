/**
 * `switchboard pairing list [channel] | approve <channel> <code> | revoke <channel> <sender>`:
 * the admin's side of the `pairing` access policy, straight on the store, so it works whether
 * or not the gateway is running (and across every gateway sharing the store).
 */
import { openStore } from "../store/open.ts";
import { normalizePairingCode } from "../core/access/pairing-code.ts";
import { resolveConfig } from "./config.ts";

export async function pairing(args: string[], options: { config?: string; json?: boolean }): Promise<number> {
  const [action = "list", channel, value] = args;
  const { config } = await resolveConfig(options.config);
  if (channel !== undefined && action !== "list" && !(channel in config.channels)) {
    console.error(`no channel "${channel}" in the config (channels: ${Object.keys(config.channels).join(", ") || "none"})`);
    return 1;
  }
  const store = await openStore(config.store);
  try {
    if (action === "list") {
      const requests = await store.listPairingRequests(channel, Date.now());
      if (options.json) console.log(JSON.stringify(requests, null, 2));
      else if (requests.length === 0) console.log(channel ? `no pending pairing codes on ${channel}` : "no pending pairing codes");
      else {
        console.log(["channel".padEnd(12), "code".padEnd(8), "sender".padEnd(24), "name".padEnd(20), "expires"].join("  "));
        for (const r of requests) {
          console.log([r.channel.padEnd(12), r.code, r.senderId.slice(0, 24).padEnd(24), (r.senderName ?? "").slice(0, 20).padEnd(20), new Date(r.expiresAt).toISOString()].join("  "));
        }
      }
      return 0;
    }
    if (action === "approve") {
      if (!channel || !value) throw new Error("pairing approve: give the channel and the code, e.g. switchboard pairing approve slack K7MX2QPA");
      const approved = await store.approvePairing(channel, normalizePairingCode(value), Date.now());
      if (!approved) {
        console.error(`no pending pairing code "${value}" on ${channel} (wrong, already used, or expired; see "switchboard pairing list")`);
        return 1;
      }
      await store.appendAudit([{ at: Date.now(), kind: "pairing.approved", channel, actor: "admin:cli", subject: approved.senderId }]);
      console.log(`approved ${approved.senderName ? `${approved.senderName} (${approved.senderId})` : approved.senderId} on ${channel}: their next message goes to the agent`);
      return 0;
    }
    if (action === "revoke") {
      if (!channel || !value) throw new Error("pairing revoke: give the channel and the sender id");
      if (!(await store.revokeSender(channel, value))) {
        console.error(`sender "${value}" is not approved on ${channel}`);
        return 1;
      }
      await store.appendAudit([{ at: Date.now(), kind: "pairing.revoked", channel, actor: "admin:cli", subject: value }]);
      console.log(`withdrew ${value}'s approval on ${channel}`);
      return 0;
    }
    throw new Error(`unknown pairing action "${action}" (use list, approve or revoke)`);
  } finally {
    await store.close();
  }
}
