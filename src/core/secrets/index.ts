/** Secrets kept in the store: the master key, the AES-256-GCM vault, and generated channel keys. */
export { SecretError } from "./errors.ts";
export { Vault } from "./vault.ts";
export { resolveKeyring, keyringSource, parseMasterKey, newMasterKey, readMasterKeyFile, describeKeySource, ensureMasterKeyFile, DEFAULT_MASTER_KEY_FILE, MISSING_MASTER_KEY, MASTER_KEY_ENV, MASTER_KEY_FILE_ENV, PREVIOUS_MASTER_KEYS_ENV } from "./master-key.ts";
export type { Keyring, KeyringSource, MasterKey } from "./master-key.ts";
export { CHANNEL_KEYS_STATE, CHANNEL_KEY_PREFIX, issueChannelKey, decryptChannelKeys, reencryptChannelKeys, parseChannelKeyRecord, activeEntries } from "./channel-keys.ts";
export type { ChannelKeyRecord } from "./channel-keys.ts";
export { StoredChannelKeys } from "./stored-channel-keys.ts";
export type { StoredKeyStatus } from "./stored-channel-keys.ts";
