/**
 * The `@slack/bolt` peer, run as its own process: an App on Bolt's default HTTP receiver
 * (`/slack/events`) with an echo handler that answers every DM with `say`, its Web API pointed at
 * the emulator. Bolt's defaults otherwise, as a Bolt user would deploy it.
 *
 *   SLACK_SIGNING_SECRET=… SLACK_BOT_TOKEN=… SLACK_API_URL=http://127.0.0.1:P/api/ node bench/targets/bolt-echo.ts
 */
import bolt from "@slack/bolt";

const { App, LogLevel } = bolt;

const app = new App({
  token: requiredEnv("SLACK_BOT_TOKEN"),
  signingSecret: requiredEnv("SLACK_SIGNING_SECRET"),
  clientOptions: { slackApiUrl: requiredEnv("SLACK_API_URL") },
  logLevel: LogLevel.ERROR,
});

app.message(async ({ message, say }) => {
  if (message.subtype === undefined && message.text) await say(message.text);
});

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`bolt-echo: set ${name}`);
  return value;
}

const server = await app.start({ port: 0, host: "127.0.0.1" });
const address = server.address();
if (address === null || typeof address === "string") throw new Error("bolt-echo: no TCP address");
console.log(`bolt-echo listening on http://127.0.0.1:${address.port}/slack/events`);
process.once("SIGTERM", () => void app.stop().finally(() => process.exit(0)));
