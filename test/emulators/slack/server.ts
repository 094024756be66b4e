/**
 * Run the Slack emulator on its own, to try the Slack channel with no workspace:
 *
 *   npx node test/emulators/slack/server.ts [--port 3210] [--events-url http://127.0.0.1:8787/channels/slack]
 *
 * It prints the Web API URL, tokens and signing secret to configure the channel with, and curl
 * commands that say something as a user. Without --events-url, events go over Socket Mode.
 */
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { usage } from "./control.ts";
import { startSlackEmulator, type SlackEmulator } from "./index.ts";

export async function runSlackEmulator(argv: string[]): Promise<SlackEmulator> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: "string", default: "3210" },
      "events-url": { type: "string" },
      "signing-secret": { type: "string" },
      "bot-token": { type: "string" },
      "app-token": { type: "string" },
    },
  });
  const emulator = await startSlackEmulator({
    port: Number(values.port),
    eventsUrl: values["events-url"],
    signingSecret: values["signing-secret"],
    botToken: values["bot-token"],
    appToken: values["app-token"],
  });
  // Someone to talk as, and somewhere to talk.
  emulator.addUser({ id: "U000ALICE", name: "alice", realName: "Alice Example", email: "alice@example.com" });
  emulator.addChannel({ id: "C000GENERAL", name: "general" });
  emulator.addChannel({ id: "D000ALICE", kind: "im", user: "U000ALICE" });
  return emulator;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const emulator = await runSlackEmulator(process.argv.slice(2));
  console.log(usage(emulator));
  const stop = () => void emulator.close().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
