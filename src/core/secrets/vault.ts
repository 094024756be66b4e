/**
 * AES-256-GCM encryption of secrets kept in the store. A value becomes an envelope
 * `sb1:<keyId>:<iv>:<tag>:<ciphertext>` (base64url parts), so the key it was written with is
 * known on reading: a wrong or rotated master key is named, never silently tried. Each value
 * is bound to a context (e.g. `channel-key:api`) as associated data, so a ciphertext copied
 * to another channel does not decrypt there. Failures throw SecretError and never include the
 * secret.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { SecretError } from "./errors.ts";
import type { Keyring, MasterKey } from "./master-key.ts";

const VERSION = "sb1";
// Fixed, or GCM would accept a tag cut short by whoever altered the value.
const TAG_BYTES = 16;

export class Vault {
  readonly keyring: Keyring;

  constructor(keyring: Keyring) {
    this.keyring = keyring;
  }

  /** The id of the key new values are written with. */
  get keyId(): string {
    return this.keyring.current.id;
  }

  /** A vault that writes with `key` and still reads everything this one reads: the one `secrets rotate` uses. */
  rotatedTo(key: MasterKey): Vault {
    const older = [this.keyring.current, ...this.keyring.previous].filter((k) => k.id !== key.id);
    return new Vault({ current: key, previous: older });
  }

  encrypt(plaintext: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.keyring.current.key, iv);
    cipher.setAAD(Buffer.from(context, "utf8"));
    const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    return [VERSION, this.keyId, iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), ciphertext.toString("base64url")].join(":");
  }

  /** `what` names the value in errors ("the key of channel api"). */
  decrypt(envelope: string, context: string, what: string): string {
    const parts = envelope.split(":");
    if (parts.length !== 5 || parts[0] !== VERSION) throw new SecretError(`cannot decrypt ${what}: not an encrypted value (expected ${VERSION}:…); the stored value is damaged`);
    const [, keyId, iv, tag, ciphertext] = parts as [string, string, string, string, string];
    const key = [this.keyring.current, ...this.keyring.previous].find((k) => k.id === keyId);
    if (!key) {
      throw new SecretError(
        `cannot decrypt ${what}: it was encrypted under master key ${keyId}, but the master key set is ${this.keyId}` +
          `${this.keyring.previous.length > 0 ? ` (previous: ${this.keyring.previous.map((k) => k.id).join(", ")})` : ""}; set the master key it was written with`,
      );
    }
    try {
      const decipher = createDecipheriv("aes-256-gcm", key.key, Buffer.from(iv, "base64url"), { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(context, "utf8"));
      decipher.setAuthTag(Buffer.from(tag, "base64url"));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]).toString("utf8");
    } catch {
      throw new SecretError(`cannot decrypt ${what}: the stored value fails its integrity check under master key ${keyId} (altered, or copied from elsewhere)`);
    }
  }

  /** Whether a value is already written with the current key (rotation skips it). */
  isCurrent(envelope: string): boolean {
    return envelope.split(":")[1] === this.keyId;
  }
}
