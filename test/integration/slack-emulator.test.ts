/**
 * The Slack emulator behaves like Slack as the official SDKs see it: @slack/web-api's WebClient
 * and @slack/socket-mode's SocketModeClient talk to it unchanged (only the API URL differs), and a
 * plain node:http receiver gets Events API deliveries signed and retried the way Slack does.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { ErrorCode, LogLevel, WebAPIHTTPError, WebAPIPlatformError, WebAPIRateLimitedError, WebClient } from "@slack/web-api";
import { SocketModeClient, type Logger } from "@slack/socket-mode";
import { SLACK_DOCUMENTED_EXAMPLE, slackSignature, startSlackEmulator, type SlackEmulator } from "../emulators/slack/index.ts";

const ALICE = { id: "U000ALICE", name: "alice", realName: "Alice Example", displayName: "Alice", email: "alice@example.com" };

function webClient(e: SlackEmulator, token: string = e.botToken, extra: ConstructorParameters<typeof WebClient>[1] = {}): WebClient {
  return new WebClient(token, { slackApiUrl: `${e.url}/api/`, retryConfig: { retries: 0 }, logLevel: LogLevel.ERROR, ...extra });
}

/** Slack's documented check, written out here so the emulator's own signer is tested, not echoed. */
function expectedSignature(secret: string, timestamp: string, body: string): string {
  return `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex")}`;
}

const platformError = (code: string) => (error: unknown) => error instanceof WebAPIPlatformError && error.data.error === code;

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

describe("the Web API through @slack/web-api", () => {
  let e: SlackEmulator;
  let web: WebClient;
  before(async () => {
    e = await startSlackEmulator();
    e.addUser(ALICE);
    e.addChannel({ id: "C000GENERAL", name: "general" });
    web = webClient(e);
  });
  after(() => e?.close());

  it("auth.test names the bot for its token and answers invalid_auth / not_authed otherwise", async () => {
    const me = await web.auth.test();
    assert.equal(me.ok, true);
    assert.equal(me.user_id, e.botUserId);
    assert.equal(me.team_id, e.teamId);
    assert.equal(me.bot_id, e.botId);
    await assert.rejects(webClient(e, "xoxb-not-the-right-token").auth.test(), platformError("invalid_auth"));
    await assert.rejects(webClient(e, "").auth.test(), platformError("not_authed"));
  });

  it("a posted then edited message reads back as one message with the new text; the thread reply stays in its thread", async () => {
    const placeholder = await web.chat.postMessage({ channel: "C000GENERAL", text: "thinking…" });
    assert.match(placeholder.ts ?? "", /^\d{10}\.\d{6}$/);
    assert.equal(placeholder.channel, "C000GENERAL");
    assert.equal(placeholder.message?.bot_id, e.botId);
    const reply = await web.chat.postMessage({ channel: "C000GENERAL", thread_ts: placeholder.ts, text: "in the thread" });
    const edited = await web.chat.update({ channel: "C000GENERAL", ts: placeholder.ts!, text: "the answer" });
    assert.equal(edited.text, "the answer");
    assert.equal(edited.ts, placeholder.ts);

    assert.deepEqual(e.messages("C000GENERAL"), [
      { ts: placeholder.ts, text: "the answer", edits: 1 },
      { ts: reply.ts, thread_ts: placeholder.ts, text: "in the thread", edits: 0 },
    ]);
    assert.deepEqual(
      e.posts.map((p) => [p.method, p.ts, p.text]),
      [
        ["chat.postMessage", placeholder.ts, "thinking…"],
        ["chat.postMessage", reply.ts, "in the thread"],
        ["chat.update", placeholder.ts, "the answer"],
      ],
    );
  });

  it("users.info returns a person's email, display and real name, and marks the bot as a bot", async () => {
    const { user } = await web.users.info({ user: ALICE.id });
    assert.equal(user?.profile?.email, "alice@example.com");
    assert.equal(user?.profile?.display_name, "Alice");
    assert.equal(user?.profile?.real_name, "Alice Example");
    assert.equal(user?.real_name, "Alice Example");
    assert.equal(user?.is_bot, false);
    const bot = await web.users.info({ user: e.botUserId });
    assert.equal(bot.user?.is_bot, true);
    assert.equal(bot.user?.profile?.email, undefined);
    await assert.rejects(web.users.info({ user: "U404" }), platformError("user_not_found"));
  });

  it("assistant.threads.setStatus is recorded with its thread and status", async () => {
    const { ts } = await web.chat.postMessage({ channel: "C000GENERAL", text: "a question" });
    await web.assistant.threads.setStatus({ channel_id: "C000GENERAL", thread_ts: ts!, status: "is thinking…" });
    assert.deepEqual(
      e.statusCalls.map(({ channel_id, thread_ts, status }) => ({ channel_id, thread_ts, status })),
      [{ channel_id: "C000GENERAL", thread_ts: ts, status: "is thinking…" }],
    );
    await assert.rejects(web.assistant.threads.setStatus({ channel_id: "C404", thread_ts: ts!, status: "is thinking…" }), platformError("channel_not_found"));
  });

  it("refusals come back in Slack's shapes: channel_not_found, message_not_found, msg_too_long, not_allowed_token_type", async () => {
    await assert.rejects(web.chat.postMessage({ channel: "C404", text: "hello?" }), platformError("channel_not_found"));
    await assert.rejects(web.chat.update({ channel: "C000GENERAL", ts: "1700000000.000001", text: "x" }), platformError("message_not_found"));
    await assert.rejects(web.chat.postMessage({ channel: "C000GENERAL", text: "x".repeat(40_001) }), platformError("msg_too_long"));
    const longest = await web.chat.postMessage({ channel: "C000GENERAL", text: "x".repeat(40_000) });
    assert.equal(longest.ok, true);
    await assert.rejects(webClient(e, e.appToken).chat.postMessage({ channel: "C000GENERAL", text: "hi" }), platformError("not_allowed_token_type"));
    const info = await web.conversations.info({ channel: "C000GENERAL" });
    assert.equal(info.channel?.name, "general");
    assert.equal(info.channel?.is_channel, true);
  });

  it("a 429 with Retry-After reaches a WebClient with rejectRateLimitedCalls as a rate-limited error, and nothing is posted", async () => {
    const strict = webClient(e, e.botToken, { rejectRateLimitedCalls: true });
    const postsBefore = e.posts.length;
    e.failNext("chat.postMessage", 1, { status: 429, retryAfter: 7 });
    await assert.rejects(strict.chat.postMessage({ channel: "C000GENERAL", text: "too soon" }), (error: unknown) => {
      assert.ok(error instanceof WebAPIRateLimitedError, `expected a rate-limited error, got ${String(error)}`);
      assert.equal(error.code, ErrorCode.RateLimitedError);
      assert.equal(error.retryAfter, 7);
      return true;
    });
    assert.equal(e.posts.length, postsBefore);
    await strict.chat.postMessage({ channel: "C000GENERAL", text: "later" });
    assert.equal(e.posts.at(-1)?.text, "later");
  });

  it("an injected 500 is an HTTP error to the WebClient", async () => {
    e.failNext("chat.update", 1, { status: 500, error: "internal_error" });
    await assert.rejects(web.chat.update({ channel: "C000GENERAL", ts: "1700000000.000001", text: "x" }), (error: unknown) => error instanceof WebAPIHTTPError && error.statusCode === 500);
  });

  it("a method's tier limit answers 429 with Retry-After once the minute is full", async () => {
    const limited = await startSlackEmulator({ rateLimits: { "users.info": 2 } });
    try {
      limited.addUser(ALICE);
      const strict = webClient(limited, limited.botToken, { rejectRateLimitedCalls: true });
      await strict.users.info({ user: ALICE.id });
      await strict.users.info({ user: ALICE.id });
      await assert.rejects(strict.users.info({ user: ALICE.id }), (error: unknown) => error instanceof WebAPIRateLimitedError && error.retryAfter >= 1 && error.retryAfter <= 60);
      // Other methods have their own budget.
      assert.equal((await strict.auth.test()).ok, true);
    } finally {
      await limited.close();
    }
  });
});

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

/** A plain HTTP receiver standing in for the gateway; each test says how it answers. */
async function startReceiver() {
  const requests: Received[] = [];
  let answer: (index: number, res: ServerResponse) => void | Promise<void> = (_i, res) => void res.end();
  const server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => {
      requests.push({ headers: req.headers, body, at: Date.now() });
      void answer(requests.length - 1, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`,
    requests,
    answerWith(fn: typeof answer) {
      requests.length = 0;
      answer = fn;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe("Events API deliveries over signed HTTP", () => {
  let e: SlackEmulator;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  before(async () => {
    receiver = await startReceiver();
    e = await startSlackEmulator({ eventsUrl: receiver.url });
    e.addUser(ALICE);
  });
  after(async () => {
    await e?.close();
    await receiver?.close();
  });

  it("signs every delivery with Slack's documented v0 scheme", async () => {
    // The test's verifier reproduces Slack's own worked example, so it is the documented scheme.
    const doc = SLACK_DOCUMENTED_EXAMPLE;
    assert.equal(expectedSignature(doc.signingSecret, doc.timestamp, doc.body), doc.signature);
    assert.equal(slackSignature(doc.signingSecret, doc.timestamp, doc.body), doc.signature);

    receiver.answerWith((_i, res) => void res.end());
    const delivery = await e.deliverEvent(e.message({ user: ALICE.id, channel: "D000ALICE", text: "hello" }));
    assert.equal(delivery.acked, true);
    assert.equal(receiver.requests.length, 1);
    const [request] = receiver.requests;
    const timestamp = String(request!.headers["x-slack-request-timestamp"]);
    assert.ok(Math.abs(Number(timestamp) - Date.now() / 1000) < 10, `timestamp ${timestamp} is now`);
    assert.equal(request!.headers["x-slack-signature"], expectedSignature(e.signingSecret, timestamp, request!.body));
    assert.notEqual(request!.headers["x-slack-signature"], expectedSignature("another-secret", timestamp, request!.body));
    assert.equal(request!.headers["content-type"], "application/json");
    assert.equal(request!.headers["x-slack-retry-num"], undefined);

    const body = JSON.parse(request!.body);
    assert.equal(body.type, "event_callback");
    assert.equal(body.event_id, delivery.eventId);
    assert.match(body.event_id, /^Ev[0-9A-Z]+$/);
    assert.equal(body.team_id, e.teamId);
    assert.equal(body.api_app_id, e.appId);
    assert.equal(body.event.type, "message");
    assert.equal(body.event.channel_type, "im");
    assert.equal(body.event.text, "hello");
    assert.equal(body.event.user, ALICE.id);
  });

  it("a receiver slower than 3 s gets the same event again with X-Slack-Retry-Num 1 and reason http_timeout", { timeout: 20_000 }, async () => {
    receiver.answerWith(async (i, res) => {
      if (i === 0) await sleep(3_500);
      if (!res.destroyed) res.end();
    });
    const delivery = await e.deliverEvent(e.appMention({ user: ALICE.id, channel: "C000GENERAL", text: `<@${e.botUserId}> hi` }));
    assert.equal(delivery.acked, true);
    assert.deepEqual(
      delivery.attempts.map((a) => a.outcome),
      ["timeout", "ok"],
    );
    assert.equal(receiver.requests.length, 2);
    const [first, retry] = receiver.requests;
    assert.ok(retry!.at - first!.at >= 2_900, `the retry came ${retry!.at - first!.at} ms after the first delivery`);
    assert.equal(retry!.headers["x-slack-retry-num"], "1");
    assert.equal(retry!.headers["x-slack-retry-reason"], "http_timeout");
    assert.equal(JSON.parse(retry!.body).event_id, JSON.parse(first!.body).event_id);
    assert.equal(retry!.headers["x-slack-signature"], expectedSignature(e.signingSecret, String(retry!.headers["x-slack-request-timestamp"]), retry!.body));
  });

  it("a 500 answer is retried with reason http_error and the same event_id", async () => {
    receiver.answerWith((i, res) => {
      res.statusCode = i === 0 ? 500 : 200;
      res.end();
    });
    const delivery = await e.deliverEvent(e.message({ user: ALICE.id, channel: "D000ALICE", text: "again" }));
    assert.equal(delivery.acked, true);
    assert.deepEqual(
      delivery.attempts.map((a) => [a.outcome, a.status, a.retryNum]),
      [
        ["http_error", 500, 0],
        ["ok", 200, 1],
      ],
    );
    const [first, retry] = receiver.requests;
    assert.equal(retry!.headers["x-slack-retry-num"], "1");
    assert.equal(retry!.headers["x-slack-retry-reason"], "http_error");
    assert.equal(JSON.parse(retry!.body).event_id, JSON.parse(first!.body).event_id);
  });

  it("X-Slack-No-Retry on an error answer stops the retries", async () => {
    receiver.answerWith((_i, res) => {
      res.writeHead(503, { "x-slack-no-retry": "1" });
      res.end();
    });
    const delivery = await e.deliverEvent(e.message({ user: ALICE.id, channel: "D000ALICE", text: "no retry" }));
    assert.equal(delivery.acked, false);
    assert.equal(receiver.requests.length, 1);
  });

  it("a slash command is a signed form POST whose answer comes back to the user", async () => {
    receiver.answerWith((_i, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ response_type: "ephemeral", text: "working on it" }));
    });
    const result = await e.slashCommand({ command: "/ask", text: "what time is it", user: ALICE.id, channel: "C000GENERAL" });
    assert.deepEqual(result, { status: 200, body: { response_type: "ephemeral", text: "working on it" } });
    const [request] = receiver.requests;
    assert.equal(request!.headers["content-type"], "application/x-www-form-urlencoded");
    assert.equal(request!.headers["x-slack-signature"], expectedSignature(e.signingSecret, String(request!.headers["x-slack-request-timestamp"]), request!.body));
    const form = new URLSearchParams(request!.body);
    assert.equal(form.get("command"), "/ask");
    assert.equal(form.get("text"), "what time is it");
    assert.equal(form.get("user_id"), ALICE.id);
    assert.equal(form.get("channel_id"), "C000GENERAL");
    assert.ok(form.get("response_url")?.startsWith(e.url));
    assert.match(form.get("trigger_id") ?? "", /^\d+\.\d+\.[0-9a-f]{32}$/);
  });

  it("url_verification succeeds when the receiver echoes the challenge", async () => {
    receiver.answerWith((i, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ challenge: JSON.parse(receiver.requests[i]!.body).challenge }));
    });
    const verified = await e.verifyUrl("abc123");
    assert.equal(verified.ok, true);
    assert.equal(JSON.parse(receiver.requests[0]!.body).type, "url_verification");
  });
});

/** A Logger for the SDK that keeps what it says, so the test can read what the client noticed. */
function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  let level = LogLevel.DEBUG;
  const keep =
    (tag: string) =>
    (...message: unknown[]) =>
      void lines.push(`${tag} ${message.map(String).join(" ")}`);
  return { lines, debug: keep("debug"), info: keep("info"), warn: keep("warn"), error: keep("error"), setLevel: (l) => void (level = l), getLevel: () => level, setName: () => undefined };
}

describe("Socket Mode through @slack/socket-mode", () => {
  let e: SlackEmulator;
  let client: SocketModeClient;
  let logger: ReturnType<typeof recordingLogger>;
  before(async () => {
    e = await startSlackEmulator();
    e.addUser(ALICE);
    logger = recordingLogger();
    // Pings every 500 ms; no pong for 1.5 s means the socket is dead to the client.
    client = new SocketModeClient({ appToken: e.appToken, clientOptions: { slackApiUrl: `${e.url}/api/` }, logger, clientPingTimeout: 1_500 });
  });
  after(async () => {
    await client?.disconnect().catch(() => undefined);
    await e?.close();
  });

  it("connects through apps.connections.open and is greeted with hello", async () => {
    const opened = (await client.start()) as { ok: boolean; url: string };
    assert.equal(opened.ok, true);
    assert.match(opened.url, /^ws:\/\/127\.0\.0\.1:\d+\/socket\?ticket=/);
    assert.equal(e.connectionsOpened, 1);
    assert.equal(e.socketConnections, 1);
  });

  it("an event arrives as an events_api envelope, and the ack completes the delivery", async () => {
    const seen: Array<{ eventId: string; text: string; retryNum: number }> = [];
    const listener = async ({ body, event, ack, retry_num }: { body: { event_id: string }; event: { text: string }; ack: () => Promise<void>; retry_num: number }) => {
      seen.push({ eventId: body.event_id, text: event.text, retryNum: retry_num });
      await ack();
    };
    client.on("message", listener);
    try {
      const delivery = await e.deliverEvent(e.message({ user: ALICE.id, channel: "D000ALICE", text: "over the socket" }));
      assert.equal(delivery.transport, "socket");
      assert.equal(delivery.acked, true);
      assert.equal(delivery.attempts.length, 1);
      assert.deepEqual(seen, [{ eventId: delivery.eventId, text: "over the socket", retryNum: 0 }]);
    } finally {
      client.off("message", listener);
    }
  });

  it("an envelope that is not acked comes again with retry_attempt 1 and the same event_id", { timeout: 20_000 }, async () => {
    const seen: Array<{ envelopeId: string; eventId: string; retryNum: number; retryReason: string }> = [];
    const listener = async (args: { envelope_id: string; body: { event_id: string }; ack: () => Promise<void>; retry_num: number; retry_reason: string }) => {
      seen.push({ envelopeId: args.envelope_id, eventId: args.body.event_id, retryNum: args.retry_num, retryReason: args.retry_reason });
      if (args.retry_num >= 1) await args.ack(); // the first delivery is "lost" by the app
    };
    client.on("message", listener);
    try {
      const delivery = await e.deliverEvent(e.message({ user: ALICE.id, channel: "D000ALICE", text: "ack me later" }));
      assert.equal(delivery.acked, true);
      assert.deepEqual(
        delivery.attempts.map((a) => a.outcome),
        ["timeout", "ok"],
      );
      assert.deepEqual(
        seen.map((s) => [s.eventId, s.retryNum, s.retryReason]),
        [
          [delivery.eventId, 0, ""],
          [delivery.eventId, 1, "timeout"],
        ],
      );
      assert.notEqual(seen[0]!.envelopeId, seen[1]!.envelopeId);
    } finally {
      client.off("message", listener);
    }
  });

  it("a slash command arrives as a slash_commands envelope and the ack's payload is the answer", async () => {
    client.once("slash_commands", async ({ body, ack }: { body: Record<string, string>; ack: (response: Record<string, unknown>) => Promise<void> }) => {
      await ack({ text: `you asked: ${body.text} (${body.command} in ${body.channel_id})` });
    });
    const result = await e.slashCommand({ command: "/ask", text: "hi", user: ALICE.id, channel: "C000GENERAL" });
    assert.deepEqual(result, { status: 200, body: { text: "you asked: hi (/ask in C000GENERAL)" } });
  });

  it("silenceSockets makes the open socket deaf: no events, no pongs, and the emulator keeps it open", { timeout: 30_000 }, async () => {
    const seen: Array<{ eventId: string; retryNum: number }> = [];
    const listener = async ({ body, ack, retry_num }: { body: { event_id: string }; ack: () => Promise<void>; retry_num: number }) => {
      seen.push({ eventId: body.event_id, retryNum: retry_num });
      await ack();
    };
    client.on("message", listener);
    try {
      const linesBefore = logger.lines.length;
      e.silenceSockets(true);
      const pending = e.deliverEvent(e.message({ user: ALICE.id, channel: "D000ALICE", text: "anyone there?" }));
      // The client's pings go unanswered, and the SDK says so.
      await waitFor(() => logger.lines.slice(linesBefore).some((l) => /pong wasn't received/.test(l)), 10_000, "the SDK to notice missing pongs");
      assert.equal(seen.length, 0, "no event reached the deaf socket");
      assert.equal(e.socketConnections, 1, "the emulator did not close the deaf socket");

      // Hearing again, the emulator reads the client's close, the client reconnects, and the event is redelivered.
      e.silenceSockets(false);
      const delivery = await pending;
      assert.equal(delivery.acked, true);
      assert.equal(delivery.attempts[0]!.deaf, true);
      assert.equal(delivery.attempts.at(-1)!.outcome, "ok");
      assert.equal(seen.length, 1);
      assert.equal(seen[0]!.eventId, delivery.eventId);
      assert.ok(seen[0]!.retryNum >= 1, "it arrived as a retry");
      assert.equal(e.connectionsOpened, 2, "the client opened a new connection");
      await waitFor(() => e.socketConnections === 1, 5_000, "one open socket");
    } finally {
      client.off("message", listener);
    }
  });

  it("a disconnect frame (refresh_requested) makes the client reconnect, and events flow on the new socket", { timeout: 20_000 }, async () => {
    const before = e.connectionsOpened;
    e.disconnectSockets("refresh_requested");
    await waitFor(() => e.connectionsOpened === before + 1 && e.socketConnections === 1, 15_000, "the client to reconnect");
    const listener = async ({ ack }: { ack: () => Promise<void> }) => ack();
    client.on("message", listener);
    try {
      const delivery = await e.deliverEvent(e.message({ user: ALICE.id, channel: "D000ALICE", text: "after the refresh" }));
      assert.equal(delivery.acked, true);
      assert.equal(delivery.attempts.length, 1);
    } finally {
      client.off("message", listener);
    }
  });
});
