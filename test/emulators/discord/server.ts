/**
 * Run the Discord emulator on its own, to try the Discord channel with no Discord app:
 *
 *   npx node test/emulators/discord/server.ts [--port 3230] [--interactions-url http://127.0.0.1:8787/channels/discord]
 *
 * It prints the token, public key and API URL to configure the channel with, and curl commands
 * that say something as a user. Without --interactions-url, slash commands go over the gateway.
 */
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { usage } from "./control.ts";
import { startDiscordEmulator, type DiscordEmulator } from "./index.ts";

export async function runDiscordEmulator(argv: string[]): Promise<DiscordEmulator> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: "string", default: "3230" },
      "interactions-url": { type: "string" },
      // `switchboard emulate` passes its --events-url through; for Discord it is the interactions URL.
      "events-url": { type: "string" },
      "bot-token": { type: "string" },
    },
  });
  const emulator = await startDiscordEmulator({
    port: Number(values.port),
    interactionsUrl: values["interactions-url"] ?? values["events-url"],
    botToken: values["bot-token"],
    keySeed: Buffer.alloc(32, 7),
  });
  emulator.addUser({ id: "42", username: "alice", global_name: "Alice Example" });
  emulator.addChannel("500", { dm: true });
  emulator.addChannel("501", { name: "general" });
  return emulator;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const emulator = await runDiscordEmulator(process.argv.slice(2));
  console.log(usage(emulator));
  const stop = () => void emulator.close().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
