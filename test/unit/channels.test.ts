import { runChannelContract } from "../channels/contract.ts";
import { createHttpChannel } from "../../src/channels/http/index.ts";
import { createWebchatChannel } from "../../src/channels/webchat/index.ts";
import { SdkChannel } from "../../src/channels/sdk/index.ts";

runChannelContract("http", (id) => createHttpChannel({ id }));
runChannelContract("webchat", (id) => createWebchatChannel({ id }));
runChannelContract("sdk", (id) => new SdkChannel(id));
