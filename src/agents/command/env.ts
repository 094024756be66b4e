/**
 * The CLI's environment. The gateway's own environment may hold its secrets (platform tokens,
 * store URLs), so only a short list of harmless variables is inherited; the config's `env`,
 * then the turn's settings, are laid over it.
 */
import type { UnixUser } from "./isolation.ts";

const inherited = [
  "PATH",
  "HOME",
  "USER",
  "LOGNAME",
  "SHELL",
  "LANG",
  "LANGUAGE",
  "LC_ALL",
  "LC_CTYPE",
  "LC_MESSAGES",
  "TZ",
  "TERM",
  "TMPDIR",
  "SSL_CERT_FILE",
  "SSL_CERT_DIR",
  "NODE_EXTRA_CA_CERTS",
];
/** The gateway user's own directories: meaningless (or private) for another Unix user. */
const perUser = new Set(["HOME", "USER", "LOGNAME", "SHELL", "TMPDIR"]);

export function cliEnv(options: { runAs: UnixUser | undefined; config?: Record<string, string>; settings?: Record<string, string> }): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of inherited) {
    const value = process.env[name];
    if (value !== undefined && !(options.runAs && perUser.has(name))) env[name] = value;
  }
  if (options.runAs) {
    env.HOME = options.runAs.home;
    env.USER = options.runAs.name;
    env.LOGNAME = options.runAs.name;
    env.SHELL = options.runAs.shell;
  }
  env.PATH ??= "/usr/local/bin:/usr/bin:/bin";
  return { ...env, ...options.config, ...options.settings };
}
