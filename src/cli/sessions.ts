/**
 * `switchboard sessions list|show <id>|reset <id>`: read and reset sessions straight from the
 * store, so they work whether or not the gateway is running.
 */
import { openStore } from "../store/open.ts";
import { resolveConfig } from "./config.ts";

export async function sessions(args: string[], options: { config?: string; json?: boolean; user?: string; agent?: string; channel?: string }): Promise<number> {
  const [action = "list", id] = args;
  const { config } = await resolveConfig(options.config);
  const store = await openStore(config.store);
  try {
    if (action === "list") {
      const list = await store.listSessions({ userId: options.user, agent: options.agent, channel: options.channel, limit: 1000 });
      if (options.json) console.log(JSON.stringify(list, null, 2));
      else if (list.length === 0) console.log("no sessions");
      else {
        console.log(["id".padEnd(36), "agent".padEnd(12), "channel".padEnd(10), "user".padEnd(20), "status".padEnd(7), "last activity"].join("  "));
        for (const s of list) {
          console.log([s.id.padEnd(36), s.agent.padEnd(12), s.channel.padEnd(10), s.userId.slice(0, 20).padEnd(20), s.status.padEnd(7), new Date(s.lastActivityAt).toISOString()].join("  "));
        }
      }
      return 0;
    }
    if (!id) throw new Error(`sessions ${action}: give a session id (see "switchboard sessions list")`);
    const session = await store.getSession(id);
    if (!session) {
      console.error(`no session "${id}"`);
      return 1;
    }
    if (action === "show") {
      const transcript = await store.getTranscript(id);
      if (options.json) console.log(JSON.stringify({ session, transcript }, null, 2));
      else {
        console.log(`session ${session.id}  agent ${session.agent}  channel ${session.channel}  user ${session.userId}  ${session.status}`);
        for (const entry of transcript) console.log(`[${new Date(entry.at).toISOString()}] ${entry.role}: ${entry.text}`);
      }
      return 0;
    }
    if (action === "reset") {
      await store.resetSession(id, Date.now());
      console.log(`session ${id} ended; the next message in its conversation starts a new one`);
      return 0;
    }
    throw new Error(`unknown sessions action "${action}" (use list, show or reset)`);
  } finally {
    await store.close();
  }
}
