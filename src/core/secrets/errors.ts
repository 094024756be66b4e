/** The one error the vault raises: it names what failed and how to fix it, never the secret. */
import { SwitchboardError } from "../errors.ts";

export class SecretError extends SwitchboardError {
  constructor(message: string) {
    super(message, { status: 500 });
  }
}
