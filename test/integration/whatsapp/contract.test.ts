import { describe, before, after } from "node:test";
import { createWhatsAppChannel } from "../../../src/channels/whatsapp/index.ts";
import { startWhatsAppEmulator, type WhatsAppEmulator } from "../../emulators/whatsapp/index.ts";
import { runChannelContract } from "../../channels/contract.ts";

describe("the WhatsApp channel against the emulator", () => {
  let emulator: WhatsAppEmulator;
  before(async () => {
    emulator = await startWhatsAppEmulator();
  });
  after(() => emulator.close());

  runChannelContract("whatsapp", (id) =>
    createWhatsAppChannel({ id, phoneNumberId: emulator.phoneNumberId, accessToken: emulator.accessToken, appSecret: emulator.appSecret, verifyToken: emulator.verifyToken, apiUrl: emulator.apiUrl }),
  );
});
