/**
 * `switchboard channels …`: channels kept in the store, managed without editing the YAML. It
 * works on the store directly, like `pairing`, so it needs no running gateway; running gateways
 * on the same store apply a change within two seconds.
 *
 *   channels list [--json]                       every channel; YAML ones are marked read-only
 *   channels show <id> [--json]                  one channel, secrets as ••••
 *   channels add <id> --type T [path=value …]    create one (or --file channel.yaml)
 *   channels set <id> path=value …               change fields of a stored channel
 *   channels enable|disable|remove <id>
 *   channels key <id> [--rotate] [--grace 1h]    a key for an http or webhook channel, printed once
 *
 * Values are YAML scalars (`require_mention=false`, `repos=[a/b]`), and `${VAR}` takes a value from
 * the environment, so a token need not appear in the shell history or the process list.
 */
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { openStore } from "../store/open.ts";
import { parseDuration } from "../config/duration.ts";
import { interpolateEnv } from "../config/interpolate.ts";
import { resolveConfig } from "./config.ts";
import { keyringSource, resolveKeyring, Vault } from "../core/secrets/index.ts";
import { ChannelAdmin, type ChannelView } from "../channels/stored/admin.ts";
import { openChannelTree } from "../channels/stored/codec.ts";
import { SwitchboardError } from "../core/errors.ts";
import { isSecretField } from "../core/secrets/config-scan.ts";

const DEFAULT_GRACE_MS = 3_600_000;
const USAGE = `usage: switchboard channels list|show <id>|add <id> --type T [path=value …]|set <id> path=value …|enable <id>|disable <id>|remove <id>|key <id> [--rotate] [--grace 1h]`;

interface ChannelsCliOptions {
  config?: string;
  rotate?: boolean;
  grace?: string;
  type?: string;
  file?: string;
  json?: boolean;
}

export async function channels(args: string[], options: ChannelsCliOptions): Promise<number> {
  const [action, id, ...assignments] = args;
  if (action === undefined || (action !== "list" && id === undefined)) {
    console.error(USAGE);
    return 2;
  }
  const { config, baseDir } = await resolveConfig(options.config);
  const keyring = resolveKeyring(keyringSource(config.secrets, baseDir));
  const vault = keyring ? new Vault(keyring) : undefined;
  const store = await openStore(config.store);
  const admin = new ChannelAdmin({ store, vault, configChannels: config.channels, actor: "admin:cli" });
  try {
    switch (action) {
      case "list":
        return print(await admin.list(), options.json);
      case "show":
        return print([await admin.get(id!)], options.json, true);
      case "add": {
        const input = options.file !== undefined ? readChannelFile(options.file) : {};
        if (options.type !== undefined) input["type"] = options.type;
        if (input["type"] === undefined) throw new SwitchboardError("channels add: give the channel's type with --type (slack, email, github, telegram, whatsapp, discord, webhook, http, webchat)", { status: 400 });
        const created = await admin.create(id!, withAssignments(input, assignments));
        console.error(`channel ${id} created (${created.type}); running gateways start it within a few seconds`);
        if (created.key) {
          console.log(created.key);
          console.error("Its key is shown only once: callers send Authorization: Bearer <key>.");
        }
        return 0;
      }
      case "set": {
        if (assignments.length === 0) throw new SwitchboardError("channels set: give at least one path=value", { status: 400 });
        if (id! in config.channels) throw new SwitchboardError(`channel "${id}" is defined in the config file; edit it there`, { status: 409 });
        const record = await store.getStoredChannel(id!);
        if (!record) throw new SwitchboardError(`no stored channel "${id}" (channels add creates one)`, { status: 404 });
        const tree = openChannelTree(id!, record.config, vault);
        await admin.update(id!, withAssignments(tree, assignments), record.version);
        console.error(`channel ${id} updated; running gateways restart it within a few seconds`);
        return 0;
      }
      case "enable":
      case "disable":
        await admin.setEnabled(id!, action === "enable");
        console.error(`channel ${id} ${action}d`);
        return 0;
      case "remove":
        await admin.remove(id!);
        console.error(`channel ${id} removed; running gateways stop it within a few seconds`);
        return 0;
      case "key":
        return await issueKey(admin, id!, options);
      default:
        console.error(USAGE);
        return 2;
    }
  } catch (error) {
    if (error instanceof SwitchboardError) {
      console.error(`error: ${error.message}`);
      return 1;
    }
    throw error;
  } finally {
    await store.close();
  }
}

async function issueKey(admin: ChannelAdmin, id: string, options: ChannelsCliOptions): Promise<number> {
  const graceMs = options.grace === undefined ? DEFAULT_GRACE_MS : parseDuration(options.grace);
  if (graceMs === undefined) {
    console.error(`--grace: "${options.grace}" is not a duration (e.g. 30m, 1h, 0 to end the old key at once)`);
    return 2;
  }
  const now = Date.now();
  const issued = await admin.issueKey(id, { rotate: options.rotate === true, graceMs });
  console.log(issued.key);
  const old = issued.previousExpireAt === undefined ? "" : issued.previousExpireAt <= now ? " The old key no longer works." : ` The old key works until ${new Date(issued.previousExpireAt).toISOString()}.`;
  console.error(`New key for channel ${id} (shown only once; send it as Authorization: Bearer <key>).${old}`);
  return 0;
}

function readChannelFile(file: string): Record<string, unknown> {
  const tree: unknown = parseYaml(readFileSync(file, "utf8"));
  if (tree === null || typeof tree !== "object" || Array.isArray(tree)) throw new SwitchboardError(`${file}: expected a mapping of the channel's fields (type: …)`, { status: 400 });
  return tree as Record<string, unknown>;
}

/** `a.b=value` pairs applied to a copy of `tree`; values are YAML scalars, `${VAR}` comes from the environment. */
function withAssignments(tree: Record<string, unknown>, assignments: string[]): Record<string, unknown> {
  const result = structuredClone(tree);
  for (const assignment of assignments) {
    const eq = assignment.indexOf("=");
    if (eq <= 0) throw new SwitchboardError(`"${assignment}": expected path=value, e.g. botToken='\${SLACK_BOT_TOKEN}'`, { status: 400 });
    const path = assignment.slice(0, eq).split(".");
    let node = result;
    for (const part of path.slice(0, -1)) {
      if (node[part] === null || typeof node[part] !== "object") node[part] = {};
      node = node[part] as Record<string, unknown>;
    }
    const field = path.at(-1)!;
    const text = assignment.slice(eq + 1);
    // A secret stays the text it is: "0123" or "true" must not become a number or a boolean.
    node[field] = isSecretField(field) ? text : (parseYaml(text) ?? "");
  }
  const { value, issues } = interpolateEnv(result);
  if (issues.length > 0) throw new SwitchboardError(issues.join("; "), { status: 400 });
  return value as Record<string, unknown>;
}

function print(views: ChannelView[], json: boolean | undefined, detailed = false): number {
  if (json) {
    console.log(JSON.stringify(detailed ? views[0] : views, null, 2));
    return 0;
  }
  for (const view of views) {
    const state = view.enabled ? (view.status?.state ?? "enabled") : "disabled";
    console.log(`${view.id.padEnd(20)} ${view.type.padEnd(9)} ${view.source === "config" ? "config file (read-only)" : `stored v${view.version}`}  ${state}${view.status?.state === "error" ? `: ${view.status.error}` : ""}`);
    if (detailed) console.log(JSON.stringify(view.config, null, 2));
  }
  if (views.length === 0) console.log("no channels");
  return 0;
}
