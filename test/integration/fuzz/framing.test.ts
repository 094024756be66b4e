/**
 * Issue 9, fuzzing below the body: request lines, headers and framing written on a raw socket
 * (CR/LF injection, contradictory lengths, broken chunking, bad Host, malformed paths), WebSocket
 * upgrades to random paths, and random frames on the `/v1/ws` API. Every one gets a 4xx (or a
 * `rejected` frame with a 4xx status), and the gateway process stays up and keeps answering.
 */
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import WebSocket from "ws";
import { startFuzzGateway, type FuzzGateway } from "./setup.ts";
import { rawRequest, sendRaw, type RawOutcome } from "./raw-http.ts";
import { randomJson, spoofedText } from "./payloads.ts";
import { REQUEST_TIMEOUT_MS } from "./send.ts";

const SEED = 20_260_909;
const HOST = "Host: 127.0.0.1";
const UPGRADE = ["Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13"];
const json = ["content-type: application/json"];

/** Hand-picked attacks on the HTTP framing, each with what a careful server must not do with it. */
const hostileRequests: Record<string, string> = {
  "a bare LF inside a header value (header injection)": rawRequest("POST", "/v1/messages", [HOST, ...json, "X-Note: a\nX-Injected: b", "Content-Length: 2"], "{}"),
  "a bare CR inside a header value": rawRequest("POST", "/v1/messages", [HOST, ...json, "X-Note: a\rX-Injected: b", "Content-Length: 2"], "{}"),
  "a NUL inside a header value": rawRequest("POST", "/v1/messages", [HOST, ...json, "X-Note: a\u0000b", "Content-Length: 2"], "{}"),
  "two different Content-Lengths": rawRequest("POST", "/channels/hook/webhook", [HOST, ...json, "Content-Length: 2", "Content-Length: 7"], "{}"),
  "Content-Length and chunked together (request smuggling)": rawRequest("POST", "/channels/slack", [HOST, ...json, "Content-Length: 4", "Transfer-Encoding: chunked"], "0\r\n\r\n"),
  "a Transfer-Encoding that is not chunked": rawRequest("POST", "/channels/whatsapp", [HOST, ...json, "Transfer-Encoding: gzip"], "{}"),
  "chunked, then another coding": rawRequest("POST", "/channels/github", [HOST, ...json, "Transfer-Encoding: chunked, identity"], "2\r\n{}\r\n0\r\n\r\n"),
  "a chunk size that is not hex": rawRequest("POST", "/channels/telegram", [HOST, ...json, "Transfer-Encoding: chunked"], "zz\r\n{}\r\n0\r\n\r\n"),
  "a negative Content-Length": rawRequest("POST", "/v1/messages", [HOST, ...json, "Content-Length: -1"], "{}"),
  "100 kB of one header": rawRequest("GET", "/healthz", [HOST, `X-Big: ${"a".repeat(100_000)}`]),
  "5,000 headers": rawRequest("GET", "/healthz", [HOST, ...Array.from({ length: 5_000 }, (_, i) => `X-H${i}: v`)]),
  "a Host that is not a host": rawRequest("POST", "/v1/messages", ["Host: [::1", ...json, "Content-Length: 2"], "{}"),
  "an absolute target that is not a URL": rawRequest("GET", "http://[::1/healthz", [HOST]),
  "a channel id with broken percent-encoding": rawRequest("POST", "/channels/%E0%A4%A", [HOST, ...json, "Content-Length: 2"], "{}"),
  "a sub-agent id with broken percent-encoding": rawRequest("POST", "/v1/subagents/%zz/messages", [HOST, ...json, "Content-Length: 2"], "{}"),
  "a session id with broken percent-encoding": rawRequest("GET", "/v1/sessions/%zz", [HOST, "Authorization: Bearer fuzz-api-key-0123456789"]),
  "a WebSocket upgrade to a channel id with broken percent-encoding": rawRequest("GET", "/channels/%E0%A4%A/ws", [HOST, ...UPGRADE]),
  "a WebSocket upgrade to a target that is not a URL": rawRequest("GET", "http://[::1/v1/ws", [HOST, ...UPGRADE]),
  "a WebSocket upgrade without the key": rawRequest("GET", "/v1/ws", [HOST, ...UPGRADE]),
  "a WebSocket upgrade with a bad version": rawRequest("GET", "/v1/ws?key=fuzz-api-key-0123456789", [HOST, ...UPGRADE.slice(0, 3), "Sec-WebSocket-Version: 99"]),
  "a request line that is not HTTP": "HELLO THERE\r\n\r\n",
};

/** Node's parser reads these as a bare `GET /healthz` (HTTP/0.9 style): answering it is safe, a 5xx or a hang is not. */
const harmlessOddities: Record<string, string> = {
  "CRLF smuggled into the request target": rawRequest("GET", "/healthz\r\nX-Injected: 1", [HOST]),
  "an HTTP/0.9 request": "GET /healthz\r\n\r\n",
};

function assertRefused(outcome: RawOutcome, what: string): void {
  assert.equal(outcome.kind, "status", `${what}: ${outcome.kind === "timeout" ? "no answer (hang)" : "closed without an answer"}`);
  if (outcome.kind === "status") assert.ok(outcome.status >= 400 && outcome.status < 500, `${what}: got ${outcome.head.split("\r\n")[0]}`);
}

describe("fuzzing the HTTP framing, paths and the WebSocket API", () => {
  let fuzz: FuzzGateway | undefined;

  const stillAnswers = async () => {
    assert.equal(fuzz!.gateway.child.exitCode, null, `the gateway exited:\n${fuzz!.gateway.output()}`);
    const response = await fetch(`${fuzz!.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${fuzz!.secrets.apiKey}` },
      body: JSON.stringify({ user: "liveness", text: "still there?" }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    assert.equal(response.status, 200);
    assert.equal((await response.json()).reply, "still there?");
  };

  before(async () => {
    fuzz = await startFuzzGateway();
  });

  after(async () => {
    await fuzz?.stop();
  });

  for (const [what, request] of Object.entries(hostileRequests)) {
    it(`${what} gets a 4xx`, async () => {
      assertRefused(await sendRaw(fuzz!.url, request), what);
    });
  }

  for (const [what, request] of Object.entries(harmlessOddities)) {
    it(`${what} gets a 2xx or 4xx`, async () => {
      const outcome = await sendRaw(fuzz!.url, request);
      assert.equal(outcome.kind, "status", `${what}: ${outcome.kind}`);
      if (outcome.kind === "status") assert.ok(outcome.status < 500, `${what}: got ${outcome.status}`);
    });
  }

  it("the gateway is still up after the hand-picked attacks", stillAnswers);

  it("random request targets get a 4xx or a 2xx, on plain requests and on upgrades", async () => {
    // Printable junk, percent signs and dot segments, in a path or a channel id.
    const segment = fc.stringMatching(/^[A-Za-z0-9%._~:@!$&'()*+,;=-]{0,24}$/);
    const target = fc.oneof(
      fc.array(segment, { maxLength: 5 }).map((parts) => `/${parts.join("/")}`),
      segment.map((id) => `/channels/${id}`),
      fc.tuple(segment, segment).map(([id, rest]) => `/channels/${id}/${rest}`),
      segment.map((id) => `/v1/subagents/${id}/messages`),
    );
    await fc.assert(
      fc.asyncProperty(target, fc.constantFrom("GET", "POST", "UPGRADE"), async (path, method) => {
        const headers = method === "UPGRADE" ? [HOST, ...UPGRADE] : [HOST, ...json, "Content-Length: 2"];
        const outcome = await sendRaw(fuzz!.url, rawRequest(method === "UPGRADE" ? "GET" : method, path, headers, method === "POST" ? "{}" : ""));
        assert.equal(outcome.kind, "status", `${method} ${path}: ${outcome.kind}`);
        if (outcome.kind === "status") assert.ok(outcome.status < 500 && outcome.status !== 101, `${method} ${path}: got ${outcome.status}`);
      }),
      { seed: SEED, numRuns: 200 },
    );
    await stillAnswers();
  });

  it("random headers, with CR, LF and NUL in names and values, get a 2xx or 4xx", async () => {
    const hostileChar = fc.constantFrom("\r", "\n", "\u0000", "\u007f", ":", " ", "\t", "\u00ff");
    const hostileString = fc.array(fc.oneof(fc.string({ maxLength: 8 }), hostileChar), { maxLength: 6 }).map((parts) => parts.join(""));
    await fc.assert(
      fc.asyncProperty(hostileString, hostileString, async (name, value) => {
        const request = rawRequest("POST", "/v1/messages", [HOST, ...json, `${name}: ${value}`, "Content-Length: 2"], "{}");
        const outcome = await sendRaw(fuzz!.url, request);
        assert.equal(outcome.kind, "status", `header ${JSON.stringify(name)}: ${JSON.stringify(value)}: ${outcome.kind}`);
        if (outcome.kind === "status") assert.ok(outcome.status < 500, `header ${JSON.stringify(name)}: ${JSON.stringify(value)}: got ${outcome.status}`);
      }),
      { seed: SEED, numRuns: 200 },
    );
    await stillAnswers();
  });

  it("random frames on /v1/ws are each answered with a 4xx rejection, and the socket keeps working", async () => {
    const ws = new WebSocket(`${fuzz!.url.replace("http", "ws")}/v1/ws`, { headers: { authorization: `Bearer ${fuzz!.secrets.apiKey}` } });
    const replies: Array<Record<string, unknown>> = [];
    const waiting: Array<(reply: Record<string, unknown>) => void> = [];
    ws.on("message", (data) => {
      const reply = JSON.parse(data.toString()) as Record<string, unknown>;
      const next = waiting.shift();
      if (next) next(reply);
      else replies.push(reply);
    });
    const nextReply = () =>
      new Promise<Record<string, unknown>>((resolve, reject) => {
        const queued = replies.shift();
        if (queued) return resolve(queued);
        const timer = setTimeout(() => reject(new Error("no answer to a frame (hang)")), REQUEST_TIMEOUT_MS);
        waiting.push((reply) => {
          clearTimeout(timer);
          resolve(reply);
        });
      });
    try {
      await new Promise<void>((resolve, reject) => ws.once("open", () => resolve()).once("error", reject));
      const frame = fc.oneof(
        fc.string({ maxLength: 64 }).map((s) => ({ text: s, binary: false })),
        randomJson.map((bytes) => ({ text: new TextDecoder().decode(bytes), binary: false })),
        spoofedText.map((text) => ({ text: JSON.stringify({ user: "ws-fuzz", text, extra: 1 }), binary: false })),
        fc.uint8Array({ maxLength: 64 }).map((bytes) => ({ text: Buffer.from(bytes).toString("latin1"), binary: true })),
      );
      await fc.assert(
        fc.asyncProperty(frame, async ({ text, binary }) => {
          ws.send(binary ? Buffer.from(text, "latin1") : text, { binary });
          const reply = await nextReply();
          assert.equal(reply.type, "rejected", JSON.stringify(reply));
          assert.ok(typeof reply.httpStatus === "number" && reply.httpStatus >= 400 && reply.httpStatus < 500, JSON.stringify(reply));
        }),
        { seed: SEED, numRuns: 200 },
      );
      // The same socket still carries a real message to its reply.
      ws.send(JSON.stringify({ user: "ws-fuzz", text: "after the junk" }));
      let reply = await nextReply();
      while (reply.type !== "message" && reply.type !== "rejected") reply = await nextReply();
      assert.equal(reply.type, "message", JSON.stringify(reply));
      assert.equal(reply.text, "after the junk");
    } finally {
      ws.terminate();
    }
    await stillAnswers();
  });
});
