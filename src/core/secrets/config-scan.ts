/**
 * Finds secrets written into a config tree in plain text (before `${ENV}` substitution), and the
 * key files it names, for `switchboard doctor`. Only paths are reported, never values.
 */

/** Field names that hold secrets, compared without case, `-` or `_`: botToken, signing_secret, X-Api-Key, ANTHROPIC_API_KEY… */
const secretName = /(token|secret|password|passwd|apikey|privatekey|accesskey|authorization|credential|credentials)$/;
/** Fields naming a file that holds a secret: privateKeyFile, tokenFile, masterKeyFile. */
const secretFileName = /(key|token|secret|password)file$/;

function normalize(name: string): string {
  return name.toLowerCase().replace(/[-_]/g, "");
}

export function isSecretField(name: string): boolean {
  const n = normalize(name);
  return n === "key" || secretName.test(n);
}

/**
 * Whether a value holds a secret of its own, rather than pulling it from the environment: what
 * is left after removing `${VAR}` references (and a `Bearer`/`Basic` scheme) is not empty. The
 * default of `${VAR:-default}` counts as written into the file.
 */
export function isPlaintext(value: string): boolean {
  const rest = value
    .replace(/\$\$\{/g, "x")
    .replace(/\$\{[A-Za-z_][A-Za-z0-9_]*(?::-([^}]*))?\}/g, (_m, fallback: string | undefined) => fallback ?? "")
    .replace(/^\s*(Bearer|Basic|token)\s+/i, "")
    .trim();
  return rest !== "";
}

export type ConfigPath = Array<string | number>;

export function formatConfigPath(path: ConfigPath): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}

/** Paths of secret fields whose value is written into the config. */
export function plaintextSecrets(tree: unknown): ConfigPath[] {
  const found: ConfigPath[] = [];
  walk(tree, [], (path, key, value) => {
    if (typeof value === "string" && value !== "" && isSecretField(key) && isPlaintext(value)) found.push(path);
  });
  return found;
}

/** Key files the config names (privateKeyFile, tokenFile, secrets.masterKeyFile…), with their paths. */
export function secretFiles(tree: unknown): Array<{ path: ConfigPath; file: string }> {
  const found: Array<{ path: ConfigPath; file: string }> = [];
  walk(tree, [], (path, key, value) => {
    if (typeof value === "string" && value !== "" && secretFileName.test(normalize(key))) found.push({ path, file: value });
  });
  return found;
}

function walk(node: unknown, path: ConfigPath, visit: (path: ConfigPath, key: string, value: unknown) => void): void {
  if (Array.isArray(node)) node.forEach((item, i) => walk(item, [...path, i], visit));
  else if (node !== null && typeof node === "object") {
    for (const [key, value] of Object.entries(node)) {
      visit([...path, key], key, value);
      walk(value, [...path, key], visit);
    }
  }
}
