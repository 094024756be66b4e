/**
 * Run the callback receiver on its own, to try the generic webhook channel locally:
 *
 *   npx node test/emulators/webhook/server.ts [--port 3240] [--secret S] [--events-url http://127.0.0.1:8787/channels/webhook]
 *
 * It prints the channel config to use, a signed curl that says something as a user, and every
 * callback it receives with its signature verdict. `--events-url` is the channel's URL
 * (`…/channels/<id>`), used in the printed curl (`switchboard emulate webhook` passes it through).
 */
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { startWebhookEmulator, type CallbackAttempt, type WebhookEmulator } from "./index.ts";

export async function runWebhookEmulator(argv: string[], onAttempt: (attempt: CallbackAttempt) => void = printAttempt): Promise<{ emulator: WebhookEmulator; usage: string }> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: "string", default: "3240" },
      secret: { type: "string" },
      "events-url": { type: "string", default: "http://127.0.0.1:8787/channels/webhook" },
    },
  });
  const emulator = await startWebhookEmulator({ port: Number(values.port), ...(values.secret !== undefined ? { secret: values.secret } : {}), onAttempt });
  return { emulator, usage: usage(emulator, values["events-url"].replace(/\/$/, "")) };
}

export function usage(emulator: WebhookEmulator, channelUrl: string): string {
  return `Webhook callback receiver listening on ${emulator.url}

Configure the channel (switchboard.yaml):

  channels:
    webhook:
      type: webhook
      callbackUrl: ${emulator.callbackUrl}
      signature:
        secret: ${emulator.secret}

Say something as a user (bash; needs openssl):

  BODY='{"id":"msg-'"$RANDOM"'","user":{"id":"u-alice","name":"Alice"},"text":"Hello!"}'
  TS=$(date +%s)
  SIG=$(printf '%s.%s' "$TS" "$BODY" | openssl dgst -sha256 -hmac '${emulator.secret}' -hex | sed 's/^.* //')
  curl -sS -X POST ${channelUrl}/webhook \\
    -H 'content-type: application/json' \\
    -H "X-Switchboard-Timestamp: $TS" \\
    -H "X-Switchboard-Signature: sha256=$SIG" \\
    --data "$BODY"

Replies arrive here as signed callbacks and are printed below.`;
}

function printAttempt(attempt: CallbackAttempt): void {
  const body = attempt.body;
  const what = body ? `${body.id} (reply to ${body.inReplyTo ?? "?"}, part ${body.part + 1}${body.parts !== undefined ? `/${body.parts}` : ""})` : "unparseable body";
  console.log(`[${new Date(attempt.at).toISOString()}] ${attempt.status} signature=${attempt.verdict}${attempt.repeat ? " repeat" : ""} ${what}`);
  if (body && attempt.verdict === "ok") console.log(`  ${body.text.replaceAll("\n", "\n  ")}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { emulator, usage: text } = await runWebhookEmulator(process.argv.slice(2));
  console.log(text);
  const stop = () => void emulator.close().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
