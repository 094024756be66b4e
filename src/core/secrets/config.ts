/** The `secrets:` block of switchboard.yaml: where the master key for secrets kept in the store comes from. */
import { z } from "zod";

export const secretsSchema = z
  .strictObject({
    /**
     * A file holding the master key (32 random bytes, base64 or hex; `switchboard secrets new-key`),
     * relative to this config file; more lines are older keys that still decrypt during a rotation.
     * Without it, SWITCHBOARD_MASTER_KEY (or SWITCHBOARD_MASTER_KEY_FILE) is used.
     */
    masterKeyFile: z.string().min(1).optional(),
  })
  .optional();

export type SecretsConfig = z.output<typeof secretsSchema>;
