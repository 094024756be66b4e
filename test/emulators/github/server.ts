/**
 * Run the GitHub emulator on its own, to try the GitHub channel with no GitHub App:
 *
 *   npx node test/emulators/github/server.ts [--port 3220] [--webhook-url URL] [--webhook-secret S]
 *
 * It seeds `acme/widgets` with an issue and a pull request and the user `alice`, writes the App's
 * private key to a file, and prints what to configure the channel with and a curl command that
 * mentions the App as alice. Without --webhook-url, use the channel's poll mode.
 */
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { startGitHubEmulator, type GitHubEmulator } from "./index.ts";

export const DEMO_REPO = "acme/widgets";
/** A machine user, for trying the channel with a token instead of an App. */
export const MACHINE_USER = "switchboard-bot";

/** Where the CLI writes the App's private key (one file per port, readable only by you). */
export function privateKeyFile(e: GitHubEmulator): string {
  return join(tmpdir(), `switchboard-github-emulator-${new URL(e.url).port}.pem`);
}

export async function runGitHubEmulator(argv: string[]): Promise<GitHubEmulator> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: "string", default: "3220" },
      "webhook-url": { type: "string" },
      "webhook-secret": { type: "string" },
    },
  });
  const emulator = await startGitHubEmulator({ port: Number(values.port), webhookUrl: values["webhook-url"], webhookSecret: values["webhook-secret"] ?? "" });
  emulator.addUser("alice");
  emulator.addUser(MACHINE_USER);
  emulator.addRepo(DEMO_REPO);
  emulator.addIssue(DEMO_REPO, { title: "Widgets fall over in the wind", body: "They tip over above 20 km/h.", user: "alice" });
  emulator.addIssue(DEMO_REPO, { title: "Add a wider base", body: "Fixes #1.", user: "alice", pull: true });
  writeFileSync(privateKeyFile(emulator), emulator.privateKey, { mode: 0o600 });
  return emulator;
}

export function usage(e: GitHubEmulator): string {
  const alice = e.addUser("alice");
  const comments = `${e.url}/repos/${DEMO_REPO}/issues/1/comments`;
  const webhook = e.webhookUrl ? `${e.webhookUrl} (${e.webhookSecret ? `secret "${e.webhookSecret}"` : "unsigned: no secret"})` : "(none: use the channel's poll mode)";
  return `GitHub emulator
  API URL (apiUrl)     ${e.url}
  App id / slug        ${e.appId} / ${e.appSlug}   (mention @${e.appSlug}; the App comments as ${e.botLogin})
  installation id      ${e.installationId}
  private key file     ${privateKeyFile(e)}
  webhook              ${webhook}
  repository           ${DEMO_REPO}: issue #1, pull request #2
  alice's token        ${alice}
  token alternative    ${e.addUser(MACHINE_USER)}   (machine user ${MACHINE_USER}, instead of the App)

Mention the App as alice on issue #1:
  curl -s ${comments} -H 'authorization: token ${alice}' \\
    -H 'content-type: application/json' -d '{"body":"@${e.appSlug} why do the widgets fall over?"}'
Read the conversation:
  curl -s ${comments} -H 'authorization: token ${alice}'
`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const emulator = await runGitHubEmulator(process.argv.slice(2));
  console.log(usage(emulator));
  const stop = () => void emulator.close().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
