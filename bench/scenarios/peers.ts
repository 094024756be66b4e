/**
 * The end-to-end scenario against the best-known alternatives, each in its own process on the
 * same emulator and load: `@slack/bolt` and the Chat SDK with echo handlers, beside the bare
 * baseline and the gateway, so every ratio comes from the same run.
 */
import type { Scenario } from "../scenario.ts";
import { median } from "../stats.ts";
import { compareSlackTargets, slackTable } from "../slack-compare.ts";
import { bareSlack, boltEcho, chatSdkEcho, switchboardGateway } from "../slack-targets.ts";

export const peersScenario: Scenario = {
  name: "peers",
  title: "peers: the end-to-end load against @slack/bolt and the Chat SDK",
  async run(options) {
    const load = { messages: options.messages, warmup: options.warmup, users: options.users, connections: options.connections, replies: true };
    const targets = [bareSlack(true), switchboardGateway(), boltEcho, chatSdkEcho];
    const results = await compareSlackTargets(targets, load, options.rounds, { profileDir: options.profileDir, label: "peers" });
    console.log();
    console.log(slackTable(results, { replies: true, unit: "msg/s" }));
    const bolt = median(results[2]!.rounds.map((r) => r.perSecond));
    console.log(`gateway msg/s vs @slack/bolt: ${(median(results[1]!.rounds.map((r) => r.perSecond)) / bolt).toFixed(2)}× (the issue aims at about 3×)`);
  },
};
