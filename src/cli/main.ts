/** The `switchboard` command: parses arguments and runs one subcommand. Returns the exit code. */
import { parseArgs } from "node:util";
import { ConfigError } from "../core/errors.ts";
import { start } from "./start.ts";
import { check } from "./check.ts";
import { sessions } from "./sessions.ts";
import { pairing } from "./pairing.ts";
import { audit } from "./audit.ts";
import { send } from "./send.ts";
import { emulate } from "./emulate.ts";
import { channels } from "./channels.ts";
import { secrets } from "./secrets.ts";
import { doctor } from "./doctor.ts";
import { adminToken } from "./admin-token.ts";
import { schedules } from "./schedules.ts";
import { message } from "./message.ts";

const usage = `Usage: switchboard <command> [options]

Commands:
  start [-c file] [--port N]          run the gateway (embedded default without a config file)
  check [-c file]                     validate a config file
  sessions list [--user U] [--agent A] [--channel C] [--json]
  sessions show <id> [--json]         a session and its transcript
  sessions reset <id>                 end a session; its conversation starts fresh
  pairing list [channel] [--json]     pending pairing codes of unknown senders
  pairing approve <channel> <code>    let the sender of that code talk to the agents
  pairing revoke <channel> <sender>   withdraw a sender's approval
  audit [--channel C] [--kind K] [--since 24h] [--limit N] [--json]
                                      who was let in or turned away, who approved whom
  admin-token [-c file] [--show]      where the management API's admin token is; --show prints it
  send --user U [--session S] [--agent A] [--url URL] [--key K] "text"
                                      send one message and print the reply
  channels list|show <id> [--json]    every channel: from the config file (read-only) or stored
  channels add <id> --type T [path=value …] [--file F]
                                      create a channel without editing the YAML (secrets encrypted;
                                      write a secret as '\${VAR}' to take it from the environment)
  channels set <id> path=value …      change a stored channel; enable|disable|remove <id>
  channels key <channel> [--rotate] [--grace 1h]
                                      make (or rotate) an http/webhook channel key, kept encrypted
  schedules list [--json]             every schedule: next run, last result, paused
  schedules run-now|pause|resume <name>
  message send --channel C --to T [--id K] "text"
                                      send first: #channel, an email, owner/repo#12, a chat id…
  secrets rotate --new-key-file F     re-encrypt stored secrets under a new master key
  secrets new-key                     print a fresh master key
  doctor [-c file]                    warn about plaintext secrets, key file modes, master key
  emulate <platform> [--port N] [--events-url URL]
                                      run a platform emulator (e.g. slack) for local development

Options:
  -c, --config <file>   config file (default: ./switchboard.yaml if present)
  -h, --help            show this help`;

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        config: { type: "string", short: "c" },
        port: { type: "string", short: "p" },
        user: { type: "string", short: "u" },
        session: { type: "string" },
        agent: { type: "string" },
        channel: { type: "string" },
        url: { type: "string" },
        key: { type: "string" },
        json: { type: "boolean" },
        rotate: { type: "boolean" },
        grace: { type: "string" },
        "new-key-file": { type: "string" },
        show: { type: "boolean" },
        kind: { type: "string" },
        since: { type: "string" },
        limit: { type: "string" },
        "events-url": { type: "string" },
        type: { type: "string" },
        to: { type: "string" },
        id: { type: "string" },
        file: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${usage}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || command === undefined || command === "help") {
    console.log(usage);
    return command === undefined && !values.help ? 2 : 0;
  }
  try {
    switch (command) {
      case "start":
        return await start(values);
      case "check":
        return await check(values);
      case "sessions":
        return await sessions(rest, values);
      case "pairing":
        return await pairing(rest, values);
      case "audit":
        return await audit(values);
      case "admin-token":
        return await adminToken(values);
      case "send":
        return await send(rest, values);
      case "channels":
        return await channels(rest, values);
      case "secrets":
        return await secrets(rest, values);
      case "schedules":
        return await schedules(rest, values);
      case "message":
        return await message(rest, values);
      case "doctor":
        return await doctor(values);
      case "emulate":
        return await emulate(rest, values);
      default:
        console.error(`unknown command "${command}"\n\n${usage}`);
        return 2;
    }
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 2;
    }
    console.error(`error: ${(error as Error).message}`);
    return 1;
  }
}
