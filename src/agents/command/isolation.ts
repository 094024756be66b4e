/**
 * Strict isolation: which Unix user a turn's CLI runs as. A person with no mapping is refused,
 * never run with the gateway's own (greater) rights.
 */
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { promisify } from "node:util";
import type { TurnInput } from "../../core/agent.ts";
import { AgentError } from "../../core/errors.ts";

export interface IsolationConfig {
  mode?: "none" | "strict";
  user?: string;
  userMap?: Record<string, string>;
}

export interface UnixUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
  shell: string;
}

/** The Unix user to run as, or undefined to run as the gateway's own user (mode `none`). */
export async function resolveRunAs(isolation: IsolationConfig | undefined, input: Pick<TurnInput, "user" | "messages">): Promise<UnixUser | undefined> {
  if ((isolation?.mode ?? "none") === "none") return undefined;
  const name = mappedName(isolation!, input);
  if (name === undefined) throw new AgentError("no Unix user is mapped for this user; refusing to run");
  const user = await lookupUnixUser(name);
  if (!user) throw new AgentError(`the Unix user "${name}" does not exist; refusing to run`);
  if (user.uid === 0) throw new AgentError(`strict isolation refuses to run a CLI as root (user "${name}")`);
  const own = process.getuid?.();
  if (own === undefined) throw new AgentError("strict isolation needs a Unix system");
  if (own !== 0 && own !== user.uid) {
    throw new AgentError(`strict isolation cannot run the CLI as "${name}": the gateway must run as root to switch users`);
  }
  return user;
}

function mappedName(isolation: IsolationConfig, input: Pick<TurnInput, "user" | "messages">): string | undefined {
  const map = isolation.userMap ?? {};
  const own = (key: string | undefined) => (key !== undefined && Object.hasOwn(map, key) ? map[key] : undefined);
  // Emails only of the session's own user: another sender in a shared room must not pick the Unix user.
  const emails = input.messages.filter((m) => m.sender.id === input.user.id).map((m) => m.sender.email);
  return own(input.user.id) ?? emails.map(own).find((n) => n !== undefined) ?? input.user.unixUser ?? isolation.user;
}

const validName = /^[A-Za-z_][A-Za-z0-9_.-]*\$?$/;

/** getent covers NSS (LDAP, sssd); /etc/passwd is the fallback where getent is missing. */
export async function lookupUnixUser(name: string): Promise<UnixUser | undefined> {
  if (!validName.test(name) || name.length > 64) return undefined;
  let line: string | undefined;
  try {
    const { stdout } = await promisify(execFile)("getent", ["passwd", name], { timeout: 5000 });
    line = stdout.split("\n")[0];
  } catch (error) {
    // Exit code 2: no such user. Anything else (no getent): read the file.
    if ((error as { code?: unknown }).code === 2) return undefined;
    const passwd = await readFile("/etc/passwd", "utf8").catch(() => "");
    line = passwd.split("\n").find((l) => l.startsWith(`${name}:`));
  }
  const fields = line?.split(":");
  if (!fields || fields.length < 7 || fields[0] !== name) return undefined;
  const uid = Number(fields[2]);
  const gid = Number(fields[3]);
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) return undefined;
  return { name, uid, gid, home: fields[5] || "/", shell: fields[6] || "/bin/sh" };
}
