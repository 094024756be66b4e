import { createWebhookChannel } from "../../../src/channels/webhook/index.ts";
import { runChannelContract } from "../../channels/contract.ts";

runChannelContract("webhook", (id) => createWebhookChannel({ id, callbackUrl: "http://127.0.0.1:9/callback", signature: { secret: "contract-secret-0123456789" } }));
