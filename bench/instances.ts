/**
 * Throughput with 1, 2 and 3 gateway instances on one Redis, against one instance on SQLite and a
 * bare node:http server measured in the same run (the noise baseline: what this machine, the
 * proxy and the clients allow at all). Messages per second from the first send to the last
 * answer, through a round-robin proxy, with the echo agent; figures also as ratios. The setups
 * take turns, round after round, and each figure is the median of its rounds, so a burst of
 * other work on the machine does not land on one setup alone.
 *
 *   npm run bench:instances [-- --rounds 3 --messages 2000 --sessions 300 --concurrency 64 --redis redis://127.0.0.1:6379/0]
 *
 * Needs a Redis (127.0.0.1:6379 unless --redis says otherwise); the keys written are deleted
 * afterwards. Its persistence settings are printed: figures without AOF are not comparable to
 * SQLite's, which syncs every commit.
 */
import { parseArgs } from "node:util";
import { measure, type Load, type Measurement } from "./measure.ts";
import { redisDurability } from "./redis-durability.ts";
import { TEST_REDIS } from "../test/helpers/cluster/redis-keys.ts";
import { bareServer, gateways, type Setup, type Target } from "./setups.ts";
import { resultTable } from "./table.ts";

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "3" },
    messages: { type: "string", default: "2000" },
    sessions: { type: "string", default: "300" },
    concurrency: { type: "string", default: "64" },
    warmup: { type: "string", default: "300" },
    redis: { type: "string", default: TEST_REDIS },
  },
});
const load: Load = { messages: Number(values.messages), sessions: Number(values.sessions), concurrency: Number(values.concurrency), warmup: Number(values.warmup) };

const setups: Setup[] = [bareServer, gateways("sqlite", 1), ...[1, 2, 3].map((n) => gateways("redis", n, values.redis))];

let current: Target | undefined;
// Ctrl+C must not leave gateways running or keys in Redis.
process.once("SIGINT", () => void (current?.stop() ?? Promise.resolve()).finally(() => process.exit(130)));

const rounds = Number(values.rounds);
const measured = new Map<Setup, Measurement[]>(setups.map((setup) => [setup, []]));
console.log(`${rounds} rounds of ${load.messages} messages over ${load.sessions} sessions, ${load.concurrency} requests in flight, after ${load.warmup} warm-up messages; echo agent`);
console.log(`SQLite: synchronous FULL (every commit synced to disk); Redis: ${await redisDurability(values.redis)}`);
for (let round = 1; round <= rounds; round++) {
  for (const setup of setups) {
    current = await setup.start();
    try {
      const result = await measure(current, load);
      measured.get(setup)!.push(result);
      console.log(`  round ${round}: ${setup.name} ×${setup.instances}: ${result.perSecond.toFixed(0)} msg/s`);
    } finally {
      await current.stop();
      current = undefined;
    }
  }
}
console.log();
console.log(resultTable([...measured].map(([setup, results]) => ({ setup, results }))));
