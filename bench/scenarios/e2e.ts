/**
 * End to end: signed Slack DM events → the gateway (verify, durable accept, route, session,
 * lane, echo agent, outbox) → the emulator's chat.postMessage, against a bare server that
 * verifies, parses and posts the echo itself. Every message must be answered exactly once.
 * First as fast as each answers (throughput; a saturated server's reply latency is mostly
 * queueing), then both at the same fixed rate, half the slower one's throughput, for the latency
 * the gateway adds.
 */
import { e2eGoals } from "../goals.ts";
import type { Scenario } from "../scenario.ts";
import { compareSlackTargets, slackTable } from "../slack-compare.ts";
import { bareSlack, switchboardGateway } from "../slack-targets.ts";
import { median } from "../stats.ts";

export const e2eScenario: Scenario = {
  name: "e2e",
  title: "end to end: Slack event → reply through chat.postMessage",
  async run(options) {
    const targets = [bareSlack(true), switchboardGateway()];
    const load = { messages: options.messages, warmup: options.warmup, users: options.users, connections: options.connections, replies: true };
    const results = await compareSlackTargets(targets, load, options.rounds, { profileDir: options.profileDir, label: "e2e" });
    console.log();
    console.log("As fast as each server answers:");
    console.log(slackTable(results, { replies: true, unit: "msg/s" }));
    for (const line of e2eGoals(results[0]!, results[1]!)) console.log(line);

    const rate = Math.max(1, Math.round(Math.min(...results.map(({ rounds }) => median(rounds.map((r) => r.perSecond)))) / 2));
    const paced = { ...load, rate, messages: Math.min(load.messages, rate * 10) };
    const same = await compareSlackTargets(targets, paced, options.rounds, { profileDir: options.profileDir, label: `e2e at ${rate}/s` });
    const added = median(same[1]!.rounds.map((r) => r.replyP50)) - median(same[0]!.rounds.map((r) => r.replyP50));
    console.log();
    console.log(`Both at the same load, ${rate} messages/s (${paced.messages} per round):`);
    console.log(slackTable(same, { replies: true, unit: "msg/s" }));
    console.log(`added latency (gateway reply p50 minus bare reply p50, same load): ${added.toFixed(1)} ms`);
  },
};
