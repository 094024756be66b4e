/**
 * Run the Telegram emulator on its own, to try the Telegram channel with no bot:
 *
 *   npx node test/emulators/telegram/server.ts [--port 3220]
 *
 * It prints the apiRoot and bot token to configure the channel with, and curl commands that
 * make a user speak in a private chat, a group and a forum topic. The channel long-polls it,
 * or (mode: webhook, setWebhook: true) the emulator POSTs updates to the gateway.
 */
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { startTelegramEmulator, type TelegramEmulator } from "./index.ts";

export const DEMO_GROUP_ID = -100_100;
export const DEMO_FORUM_ID = -100_200;

export async function runTelegramEmulator(argv: string[]): Promise<TelegramEmulator> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: "string", default: "3220" },
      "bot-username": { type: "string" },
      // `switchboard emulate` passes it for every platform; Telegram's webhook is set by the channel (setWebhook).
      "events-url": { type: "string" },
    },
  });
  const emulator = await startTelegramEmulator({ port: Number(values.port), ...(values["bot-username"] ? { botUsername: values["bot-username"] } : {}) });
  emulator.addGroup(DEMO_GROUP_ID, { title: "Team", supergroup: true });
  emulator.addGroup(DEMO_FORUM_ID, { title: "Forum", forum: true });
  return emulator;
}

export function usage(emulator: TelegramEmulator): string {
  const say = (body: object) => `curl -s ${emulator.url}/control/say -H 'content-type: application/json' -d '${JSON.stringify(body)}'`;
  return [
    `Telegram Bot API emulator at ${emulator.url} (bot @${emulator.bot.username})`,
    "",
    "Configure the channel:",
    "  channels:",
    "    telegram:",
    "      type: telegram",
    `      botToken: "${emulator.token}"`,
    `      apiRoot: ${emulator.url}`,
    "      access: { policy: open }   # a local trial: let every emulated user in (the default pairs)",
    "",
    "Say something as Alice:",
    `  in a private chat:  ${say({ text: "hello there" })}`,
    `  in a group:         ${say({ chatId: DEMO_GROUP_ID, text: `@${emulator.bot.username} what is 2+2?` })}`,
    `  in a forum topic:   ${say({ chatId: DEMO_FORUM_ID, topic: "Ideas", text: `@${emulator.bot.username} name a colour` })}`,
    "See what the bot sent:",
    `  curl -s ${emulator.url}/control/sent`,
  ].join("\n");
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const emulator = await runTelegramEmulator(process.argv.slice(2));
  console.log(usage(emulator));
  const stop = () => void emulator.close().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
