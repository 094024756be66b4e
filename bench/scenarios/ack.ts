/**
 * The ack path: signed Slack DM events → the gateway's verify and durable accept → 200, against a
 * bare server that only verifies the signature and parses the JSON. The gateway's agent is a
 * service that never answers, so no turn finishes and what is measured is the acknowledgement
 * alone. First as fast as each answers (throughput), then both at the same fixed rate, half the
 * slower one's throughput, for latency at the same load.
 */
import { ackGoals } from "../goals.ts";
import type { Scenario } from "../scenario.ts";
import { compareSlackTargets, slackTable } from "../slack-compare.ts";
import { bareSlack, switchboardGateway, type SlackTarget } from "../slack-targets.ts";
import { startStalledAgent, type StalledAgent } from "../stalled-agent.ts";
import { median } from "../stats.ts";

export const ackScenario: Scenario = {
  name: "ack",
  title: "ack path: signed Slack event → durable accept → 200",
  async run(options) {
    const agent = await startStalledAgent();
    try {
      const targets = [bareSlack(false), releasingTurns(switchboardGateway({ agentUrl: agent.url }), agent)];
      const load = { messages: options.messages, warmup: options.warmup, users: options.users, connections: options.connections, replies: false };
      const open = await compareSlackTargets(targets, load, options.rounds, { profileDir: options.profileDir, label: "ack" });
      console.log();
      console.log("As fast as each server answers:");
      console.log(slackTable(open, { replies: false, unit: "req/s" }));

      const rate = Math.max(1, Math.round(Math.min(...open.map(({ rounds }) => median(rounds.map((r) => r.perSecond)))) / 2));
      // At a fixed rate the batch takes as long as the rate says: keep it to about ten seconds.
      const paced = { ...load, rate, messages: Math.min(load.messages, rate * 10) };
      const same = await compareSlackTargets(targets, paced, options.rounds, { profileDir: options.profileDir, label: `ack at ${rate}/s` });
      console.log();
      console.log(`Both at the same load, ${rate} requests/s (${paced.messages} per round):`);
      console.log(slackTable(same, { replies: false, unit: "req/s" }));
      for (const line of ackGoals(same[0]!, same[1]!)) console.log(line);
    } finally {
      await agent.close();
    }
  },
};

/** A gateway stops once its running turns end: end the stalled ones first, so it exits cleanly (and writes its profile). */
function releasingTurns(target: SlackTarget, agent: StalledAgent): SlackTarget {
  return {
    name: target.name,
    async start(world, options) {
      const running = await target.start(world, options);
      return {
        ...running,
        stop() {
          agent.release();
          return running.stop();
        },
      };
    },
  };
}
