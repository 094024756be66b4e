/**
 * A throwaway Dovecot IMAP server for tests: a config, passwd-file users and maildirs in a temp
 * directory, listening on a loopback port, run in the foreground as a child process.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { closedPort } from "../net.ts";

export const dovecotBinary = process.env.DOVECOT_BIN ?? "/usr/sbin/dovecot";
const doveadmBinary = process.env.DOVEADM_BIN ?? "/usr/bin/doveadm";

export interface MailAccount {
  address: string;
  user: string;
  password: string;
}

export interface Dovecot {
  host: string;
  port: number;
  /** Dovecot's log so far, for failure messages. */
  output(): string;
  /** Disconnect every IMAP session of this user (`doveadm kick`), as a server restart would. */
  kick(user: string): Promise<void>;
  stop(): Promise<void>;
}

/** Start Dovecot with these accounts. Throws a clear error when Dovecot is not installed. */
export async function startDovecot(accounts: MailAccount[]): Promise<Dovecot> {
  if (!existsSync(dovecotBinary)) {
    throw new Error(`Dovecot is not installed (${dovecotBinary} is missing): the email tests need it. On Debian/Ubuntu: apt-get install dovecot-imapd`);
  }
  let lastError: unknown;
  // The port was free a moment ago; another process may take it first, so try a few.
  for (let attempt = 0; attempt < 3; attempt++) {
    const dir = mkdtempSync(join(tmpdir(), "switchboard-dovecot-"));
    try {
      return await launch(dir, accounts, await closedPort());
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      lastError = err;
    }
  }
  throw lastError;
}

/** Who Dovecot's processes and the mail files run as: its own users as root, else the caller. */
function identities(): { internal: string; group: string; login: string; mailUid: number; mailGid: number } {
  if (process.getuid?.() === 0) {
    const dovecot = systemUser("dovecot");
    if (!dovecot) throw new Error('running as root, but the system user "dovecot" is missing (apt-get install dovecot-imapd creates it)');
    return { internal: "dovecot", group: "dovecot", login: systemUser("dovenull") ? "dovenull" : "dovecot", mailUid: dovecot.uid, mailGid: dovecot.gid };
  }
  const me = userInfo();
  return { internal: me.username, group: groupName(me.gid), login: me.username, mailUid: me.uid, mailGid: me.gid };
}

/** Dovecot wants the internal group by name; the user's primary group is not always named after them. */
function groupName(gid: number): string {
  const line = readFileSync("/etc/group", "utf8")
    .split("\n")
    .find((entry) => entry.split(":")[2] === String(gid));
  const name = line?.split(":")[0];
  if (!name) throw new Error(`no group with id ${gid} in /etc/group, which Dovecot needs`);
  return name;
}

function systemUser(name: string): { uid: number; gid: number } | undefined {
  const fields = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((line) => line.startsWith(`${name}:`))
    ?.split(":");
  return fields && fields.length >= 4 ? { uid: Number(fields[2]), gid: Number(fields[3]) } : undefined;
}

async function launch(dir: string, accounts: MailAccount[], port: number): Promise<Dovecot> {
  const who = identities();
  const mail = join(dir, "mail");
  for (const sub of ["run", "state", "mail"]) mkdirSync(join(dir, sub));
  // Dovecot's unprivileged processes must reach the mail and the passwd file.
  chmodSync(dir, 0o755);
  chownSync(mail, who.mailUid, who.mailGid);
  writeFileSync(join(dir, "users"), accounts.map((a) => `${a.user}:{PLAIN}${a.password}::::::\n`).join(""));
  writeFileSync(
    join(dir, "dovecot.conf"),
    `base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = /dev/stderr
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
# A test logs in with a wrong password on purpose; it need not wait 2 s for the answer.
auth_failure_delay = 0
default_internal_user = ${who.internal}
default_internal_group = ${who.group}
default_login_user = ${who.login}
first_valid_uid = ${who.mailUid}
last_valid_uid = ${who.mailUid}
first_valid_gid = ${who.mailGid}
last_valid_gid = ${who.mailGid}
mail_location = maildir:${mail}/%n
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%n ${dir}/users
}
userdb {
  driver = static
  args = uid=${who.mailUid} gid=${who.mailGid} home=${mail}/%n
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
`,
  );
  const child = spawn(dovecotBinary, ["-F", "-c", join(dir, "dovecot.conf")], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const stop = async () => {
    await terminate(child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForPort(child, port, () => out);
  } catch (err) {
    await terminate(child);
    throw err;
  }
  const kick = (user: string) =>
    new Promise<void>((resolve, reject) => {
      execFile(doveadmBinary, ["-c", join(dir, "dovecot.conf"), "kick", user], (err, _stdout, stderr) => {
        // doveadm kick exits 68 (EX_NOUSER) when the user had no session to kick; that is fine.
        if (err && err.code !== 68) reject(new Error(`doveadm kick failed: ${stderr || err.message}`));
        else resolve();
      });
    });
  return { host: "127.0.0.1", port, output: () => out, kick, stop };
}

async function waitForPort(child: ChildProcess, port: number, output: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`Dovecot exited at start (${child.exitCode ?? child.signalCode}):\n${output()}`);
    if (await accepts(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`Dovecot did not listen on 127.0.0.1:${port} within 10 s:\n${output()}`);
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

function terminate(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}
