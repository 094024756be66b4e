/**
 * A fake remote A2A agent, built from the official `@a2a-js/sdk` server classes (executor,
 * DefaultRequestHandler, the express JSON-RPC and REST handlers), so it speaks the real wire
 * protocol. What it does is chosen by the message text:
 *
 * - anything else: echo, streamed as artifact chunks, with how many messages the context has seen
 *   (`echo: hi (you said 2 things)`);
 * - `message …`: a plain Message, no task;  `status …`: the answer in the completed status;
 * - `ask …`: input-required "What is your name?", and the answer to it completes the same task;
 * - `fail …` / `reject …`: the task fails / is rejected with a reason;  `hang …`: never answers
 *   (until canceled or closed).
 *
 * Faults for the next request: `failNext(status)` answers an HTTP error, `malformNext()` a broken
 * stream. Run standalone: `npx node test/emulators/a2a/server.ts --port 4010`.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import express from "express";
import { Role, TaskState, type AgentCard, type Message, type Part } from "@a2a-js/sdk";
import { AgentEvent, DefaultRequestHandler, InMemoryTaskStore, type AgentExecutor, type ExecutionEventBus, type RequestContext } from "@a2a-js/sdk/server";
import { agentCardHandler, jsonRpcHandler, restHandler, UserBuilder } from "@a2a-js/sdk/server/express";

export interface A2aEmulatorOptions {
  port?: number;
  /** capabilities.streaming on the card; true by default. */
  streaming?: boolean;
  /** The binding listed first on the card; JSON-RPC by default. */
  transport?: "JSONRPC" | "HTTP+JSON";
  /** When set, A2A calls (not the card) need `Authorization: Bearer <token>`. */
  token?: string;
  /** Pause between streamed chunks. */
  chunkDelayMs?: number;
  /** "0.3": behave like an agent that still speaks A2A 0.3 (its card, its JSON-RPC methods). */
  protocol?: "1.0" | "0.3";
}

export interface A2aRequestRecord {
  text: string;
  contextId: string;
  taskId: string;
  /** The message continued an existing task (an answer to input-required). */
  continued: boolean;
}

export interface A2aCallRecord {
  path: string;
  /** A streaming call (SSE), or a blocking one. */
  stream: boolean;
  authorization: string | undefined;
  /** The A2A-Version header: which protocol the client spoke. */
  version: string | undefined;
}

export interface A2aEmulator {
  url: string;
  /** How often the agent card was fetched. */
  cardRequests: number;
  /** Every message the executor ran, in order. */
  requests: A2aRequestRecord[];
  /** Every A2A call that reached the server (not the card fetches). */
  calls: A2aCallRecord[];
  /** Tasks the client asked to cancel. */
  canceled: string[];
  /** How many messages a context has seen. */
  seen(contextId: string): number;
  failNext(status: number): void;
  malformNext(): void;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function textPart(text: string): Part {
  return { content: { $case: "text", value: text }, metadata: undefined, filename: "", mediaType: "text/plain" };
}

function agentMessage(text: string, contextId: string, taskId = ""): Message {
  return { messageId: randomUUID(), contextId, taskId, role: Role.ROLE_AGENT, parts: [textPart(text)], metadata: undefined, extensions: [], referenceTaskIds: [] };
}

function userText(message: Message): string {
  return message.parts.map((p) => (p.content?.$case === "text" ? p.content.value : "")).join("");
}

class ScriptedExecutor implements AgentExecutor {
  readonly contexts = new Map<string, number>();
  readonly requests: A2aRequestRecord[] = [];
  readonly canceled: string[] = [];
  private readonly hangs = new Map<string, () => void>();
  private readonly chunkDelayMs: number;

  constructor(chunkDelayMs: number) {
    this.chunkDelayMs = chunkDelayMs;
  }

  cancelTask = async (taskId: string): Promise<void> => {
    this.canceled.push(taskId);
    this.hangs.get(taskId)?.();
  };

  releaseAll(): void {
    for (const release of this.hangs.values()) release();
  }

  async execute(ctx: RequestContext, bus: ExecutionEventBus): Promise<void> {
    const { taskId, contextId } = ctx;
    const text = userText(ctx.userMessage);
    const count = (this.contexts.get(contextId) ?? 0) + 1;
    this.contexts.set(contextId, count);
    this.requests.push({ text, contextId, taskId, continued: ctx.task !== undefined });
    const command = text.trim().split(/\s+/)[0]?.toLowerCase() ?? "";
    const status = (state: TaskState, message?: string) =>
      bus.publish(AgentEvent.statusUpdate({ taskId, contextId, status: { state, message: message === undefined ? undefined : agentMessage(message, contextId, taskId), timestamp: new Date().toISOString() }, metadata: undefined }));

    if (command === "message" && !ctx.task) {
      bus.publish(AgentEvent.message(agentMessage(`message: ${text.slice(command.length).trim()}`, contextId)));
      return;
    }
    if (!ctx.task) {
      bus.publish(AgentEvent.task({ id: taskId, contextId, status: { state: TaskState.TASK_STATE_SUBMITTED, message: undefined, timestamp: new Date().toISOString() }, artifacts: [], history: [ctx.userMessage], metadata: undefined }));
    } else {
      // The user answered the question this task asked. Every execution starts with the task.
      bus.publish(AgentEvent.task(ctx.task));
      await this.streamArtifact(bus, taskId, contextId, `Nice to meet you, ${text.trim()}.`);
      status(TaskState.TASK_STATE_COMPLETED);
      return;
    }
    status(TaskState.TASK_STATE_WORKING);
    switch (command) {
      case "fail":
        return status(TaskState.TASK_STATE_FAILED, "the tool exploded");
      case "reject":
        return status(TaskState.TASK_STATE_REJECTED, "I won't do that");
      case "ask":
        return status(TaskState.TASK_STATE_INPUT_REQUIRED, "What is your name?");
      case "status":
        return status(TaskState.TASK_STATE_COMPLETED, `status: ${text.slice(command.length).trim()}`);
      case "hang":
        await new Promise<void>((resolve) => this.hangs.set(taskId, resolve));
        this.hangs.delete(taskId);
        return status(TaskState.TASK_STATE_CANCELED);
      default:
        await this.streamArtifact(bus, taskId, contextId, `echo: ${text} (you said ${count} thing${count === 1 ? "" : "s"})`);
        return status(TaskState.TASK_STATE_COMPLETED);
    }
  }

  /** The reply as one artifact, a word per chunk: `append` after the first, `lastChunk` on the last. */
  private async streamArtifact(bus: ExecutionEventBus, taskId: string, contextId: string, text: string): Promise<void> {
    const artifactId = randomUUID();
    const words = text.split(/(?<=\s)/);
    for (const [i, word] of words.entries()) {
      if (i > 0) await sleep(this.chunkDelayMs);
      bus.publish(
        AgentEvent.artifactUpdate({
          taskId,
          contextId,
          artifact: { artifactId, name: "reply", description: "", parts: [textPart(word)], metadata: undefined, extensions: [] },
          append: i > 0,
          lastChunk: i === words.length - 1,
          metadata: undefined,
        }),
      );
    }
  }
}

export async function startA2aEmulator(options: A2aEmulatorOptions = {}): Promise<A2aEmulator> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const executor = new ScriptedExecutor(options.chunkDelayMs ?? 5);
  const interfaces = [
    { url: `${url}/a2a/jsonrpc`, protocolBinding: "JSONRPC", tenant: "", protocolVersion: "1.0" },
    { url: `${url}/a2a/rest`, protocolBinding: "HTTP+JSON", tenant: "", protocolVersion: "1.0" },
  ];
  if (options.transport === "HTTP+JSON") interfaces.reverse();
  const legacy = options.protocol === "0.3";
  if (legacy) interfaces.splice(0, interfaces.length, { url: `${url}/a2a/jsonrpc`, protocolBinding: "JSONRPC", tenant: "", protocolVersion: "0.3" });
  const card: AgentCard = {
    name: "Scripted Agent",
    description: "A test agent: echoes, remembers its contexts, and fails on request.",
    supportedInterfaces: interfaces,
    provider: undefined,
    version: "1.0.0",
    capabilities: { streaming: options.streaming ?? true, pushNotifications: false, extensions: [], extendedAgentCard: false },
    securitySchemes: {},
    securityRequirements: [],
    defaultInputModes: ["text/plain"],
    defaultOutputModes: ["text/plain"],
    skills: [{ id: "echo", name: "Echo", description: "Says back what it got.", tags: ["test"], examples: ["hello"], inputModes: [], outputModes: [], securityRequirements: [] }],
    signatures: [],
  };
  const requestHandler = new DefaultRequestHandler(card, new InMemoryTaskStore(), executor);
  const faults: Array<{ status?: number; malformed?: boolean }> = [];

  const emulator: A2aEmulator = {
    url,
    cardRequests: 0,
    requests: executor.requests,
    calls: [],
    canceled: executor.canceled,
    seen: (contextId) => executor.contexts.get(contextId) ?? 0,
    failNext: (status) => faults.push({ status }),
    malformNext: () => faults.push({ malformed: true }),
    async close() {
      executor.releaseAll();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const app = express();
  app.use("/.well-known/agent-card.json", (_req, res, next) => {
    emulator.cardRequests++;
    // A 0.3 agent serves its 0.3-shaped card whatever version the client asks for.
    if (legacy) res.json(legacyCard(card, url));
    else next();
  });
  app.use("/.well-known/agent-card.json", agentCardHandler({ agentCardProvider: requestHandler, cache: { maxAge: 0 } }));
  const legacyCompat = { enabled: legacy };
  app.use("/a2a", (req, res, next) => {
    emulator.calls.push({ path: req.originalUrl, stream: wantsStream(req), authorization: req.headers.authorization, version: req.header("a2a-version") });
    if (options.token !== undefined && req.headers.authorization !== `Bearer ${options.token}`) {
      res.status(401).set("www-authenticate", "Bearer").json({ error: "unauthorized" });
      return;
    }
    const fault = faults.shift();
    if (!fault) return next();
    if (fault.status !== undefined) {
      res.status(fault.status).json({ jsonrpc: "2.0", id: null, error: { code: -32603, message: "Internal error" } });
    } else if (wantsStream(req)) {
      res.status(200).set("content-type", "text/event-stream").end('data: {"jsonrpc":"2.0","id":1,"result":{"statusUp\n\n');
    } else {
      res.status(200).set("content-type", "application/json").end('{"jsonrpc":"2.0","id":1,"result":');
    }
  });
  app.use("/a2a/jsonrpc", jsonRpcHandler({ requestHandler, userBuilder: UserBuilder.noAuthentication, legacyCompat }));
  app.use("/a2a/rest", restHandler({ requestHandler, userBuilder: UserBuilder.noAuthentication }));
  server.on("request", app);
  return emulator;
}

/** The card as an A2A 0.3 agent publishes it: one `url` and its transport, no interface list. */
function legacyCard(card: AgentCard, url: string): Record<string, unknown> {
  return {
    protocolVersion: "0.3.0",
    name: card.name,
    description: card.description,
    url: `${url}/a2a/jsonrpc`,
    preferredTransport: "JSONRPC",
    version: card.version,
    capabilities: { streaming: card.capabilities?.streaming ?? false },
    defaultInputModes: ["text"],
    defaultOutputModes: ["text"],
    skills: card.skills.map(({ id, name, description, tags }) => ({ id, name, description, tags })),
  };
}

function wantsStream(req: IncomingMessage): boolean {
  return (req.headers.accept ?? "").includes("text/event-stream") || (req.url ?? "").includes("stream");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf("--port");
  const port = at >= 0 ? Number(process.argv[at + 1]) : 4010;
  const emulator = await startA2aEmulator({ port, chunkDelayMs: 60 });
  console.log(`A2A emulator listening on ${emulator.url} (card: ${emulator.url}/.well-known/agent-card.json)`);
}
