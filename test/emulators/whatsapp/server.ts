/**
 * Run the WhatsApp emulator on its own, to try the channel with no Meta app:
 *
 *   npx node test/emulators/whatsapp/server.ts [--port 3220] [--webhook-url http://127.0.0.1:8787/channels/whatsapp]
 *
 * It prints the settings to configure the channel with, and curl commands that write as a user.
 */
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { usage } from "./control.ts";
import { startWhatsAppEmulator, type WhatsAppEmulator } from "./index.ts";

export async function runWhatsAppEmulator(argv: string[]): Promise<WhatsAppEmulator> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: "string", default: "3220" },
      "webhook-url": { type: "string" },
      // `switchboard emulate` passes --events-url to every emulator; here it means the same thing.
      "events-url": { type: "string" },
      "app-secret": { type: "string" },
      "verify-token": { type: "string" },
      "access-token": { type: "string" },
    },
  });
  return startWhatsAppEmulator({
    port: Number(values.port),
    webhookUrl: values["webhook-url"] ?? values["events-url"],
    appSecret: values["app-secret"],
    verifyToken: values["verify-token"],
    accessToken: values["access-token"],
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const emulator = await runWhatsAppEmulator(process.argv.slice(2));
  console.log(usage(emulator));
  const stop = () => void emulator.close().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
