/**
 * Backlog recovery: messages accepted while the agent does not answer (they pile up durably),
 * then the gateway is killed (-9) and started again with a working agent: how long until every one
 * of them has its reply, and that none is lost or answered twice.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cpuMs } from "../process-usage.ts";
import type { Scenario } from "../scenario.ts";
import { sendLoad } from "../slack-load.ts";
import { switchboardGateway } from "../slack-targets.ts";
import { startSlackWorld } from "../slack-world.ts";
import { startStalledAgent } from "../stalled-agent.ts";
import { fixed } from "../stats.ts";
import { markdownTable } from "../table.ts";

export const backlogScenario: Scenario = {
  name: "backlog",
  title: "backlog: messages accepted while the agent is down, drained after a restart",
  async run(options) {
    const total = options.backlog;
    const dir = mkdtempSync(join(tmpdir(), "switchboard-bench-backlog-"));
    const world = await startSlackWorld({ users: options.users, messages: total });
    const agent = await startStalledAgent();
    try {
      const down = await switchboardGateway({ dir, agentUrl: agent.url }).start(world, {});
      const acceptStarted = performance.now();
      const accepted = await sendLoad({ url: down.eventsUrl, events: world.events(0, total, options.users), connections: options.connections });
      const acceptSeconds = (performance.now() - acceptStarted) / 1000;
      // kill -9, as a crash or an OOM kill would: what was acknowledged must still be there.
      process.kill(down.pid, "SIGKILL");
      await down.stop();
      await agent.close();
      if (accepted.failed > 0) console.log(`  backlog: ${accepted.failed} messages were refused (${accepted.firstFailure})`);
      const answeredEarly = world.tally.distinct;
      console.log(`  backlog: ${total - accepted.failed} accepted in ${fixed(acceptSeconds, 1)} s while the agent was down; restarting with the echo agent`);

      const restartAt = performance.now();
      const up = await switchboardGateway({ dir }).start(world, { profileDir: options.profileDir });
      const readyAt = performance.now();
      const cpuBefore = cpuMs(up.pid);
      await world.waitForReplies(total - accepted.failed, 10_000);
      await new Promise((r) => setTimeout(r, 300));
      const cpuAfter = cpuMs(up.pid);
      await up.stop();

      const { tally } = world;
      let unanswered = 0;
      let duplicates = 0;
      for (let i = 0; i < total; i++) {
        if (tally.replies[i] === 0) unanswered++;
        else if (tally.replies[i]! > 1) duplicates += tally.replies[i]! - 1;
      }
      const drainSeconds = (tally.lastReplyAt - restartAt) / 1000;
      console.log();
      console.log(
        markdownTable([
          ["backlog", "accepted in s", "start s", "drained in s (from restart)", "msg/s draining", "CPU ms/msg", "unanswered", "duplicates", "answered before restart"],
          [
            String(total),
            fixed(acceptSeconds, 1),
            fixed((readyAt - restartAt) / 1000, 1),
            fixed(drainSeconds, 1),
            fixed((total - unanswered) / drainSeconds),
            fixed((cpuAfter - cpuBefore) / total, 3),
            String(unanswered),
            String(duplicates),
            String(answeredEarly),
          ],
        ]),
      );
    } finally {
      await agent.close().catch(() => undefined);
      await world.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
