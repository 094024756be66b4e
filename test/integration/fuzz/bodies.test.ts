/**
 * Issue 9, fuzzing: every ingress route of one real gateway process gets random and hostile
 * bodies, unauthenticated and correctly signed (so the parser behind the signature check runs).
 * Each answer is a 2xx or a 4xx within the time limit, the process stays up and still answers a
 * normal message, and its memory stays flat. Seeds are fixed: a failure prints the
 * counterexample and reproduces.
 */
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { startFuzzGateway, type FuzzGateway } from "./setup.ts";
import { fuzzRoutes, type FuzzRoute } from "./routes.ts";
import { deeplyNested, deeplyNestedObject, mutatedMessage, randomBytes, randomJson, spoofedText } from "./payloads.ts";
import { assertSafe, assertUnauthenticated, chunkedBody, post, postOnFreshConnection } from "./send.ts";

const SEED = 20_260_909;
const RUNS = { unauthenticated: 25, bytes: 30, json: 30, mutated: 60, invalidUtf8Text: 20, spoofed: 20 };
const TEN_MB = 10 * 1024 * 1024;
/** Generous: RSS moves with GC timing and allocator caches, a leak per request would not fit. */
const MAX_RSS_GROWTH = 64 * 1024 * 1024;

describe("fuzzing every ingress route with hostile bodies", () => {
  let fuzz: FuzzGateway | undefined;
  const routes = fuzzRoutes(() => fuzz!.secrets);
  let rssAfterWarmUp = 0;
  let n = 0;

  const send = (route: FuzzRoute, body: Uint8Array, signed: boolean) =>
    post(fuzz!.url + route.path, body, { "content-type": route.contentType, ...(signed ? route.sign(body) : {}) });
  /** Ten megabytes, signed (the signature is checked after the size, so any will do). */
  const sendHuge = (route: FuzzRoute, chunked: boolean) => {
    const body = new Uint8Array(TEN_MB).fill(0x61);
    return postOnFreshConnection(fuzz!.url + route.path, chunked ? chunkedBody(TEN_MB) : body, { "content-type": route.contentType, ...route.sign(body) });
  };

  const stillAnswers = async () => {
    assert.equal(fuzz!.gateway.child.exitCode, null, `the gateway exited:\n${fuzz!.gateway.output()}`);
    const text = `are you there? ${++n}`;
    const result = await post(`${fuzz!.url}/v1/messages`, new TextEncoder().encode(JSON.stringify({ user: "liveness", text })), {
      "content-type": "application/json",
      authorization: `Bearer ${fuzz!.secrets.apiKey}`,
    });
    assert.equal(result.status, 200, result.body);
    assert.equal(JSON.parse(result.body).reply, text);
  };

  before(async () => {
    fuzz = await startFuzzGateway();
    // Warm up every route with each kind of traffic (modules, caches, the store's statements, the
    // heap up to its working size) before memory is measured, so growth after it means retention.
    for (const route of routes) {
      for (let i = 0; i < 20; i++) {
        const body = new TextEncoder().encode(JSON.stringify(route.message(`warm up ${i}`, ++n)));
        assertSafe(await send(route, body, true), `${route.name} warm-up`);
      }
      for (const body of fc.sample(fc.oneof(randomBytes, randomJson), { seed: SEED - 1, numRuns: 20 })) assertSafe(await send(route, body, true), `${route.name} warm-up`);
      assert.equal((await sendHuge(route, true)).status, 413);
    }
    await stillAnswers();
    rssAfterWarmUp = await fuzz.rss();
  });

  after(async () => {
    await fuzz?.stop();
  });

  for (const route of routes) {
    describe(route.name, () => {
      it("a well-formed signed message is accepted", async () => {
        const result = await send(route, new TextEncoder().encode(JSON.stringify(route.message("hello there", ++n))), true);
        assert.ok(result.status >= 200 && result.status < 300, `${result.status} ${result.body}`);
      });

      it(route.authenticated ? "unauthenticated random bodies get 401/403" : "random bodies get a 4xx", async () => {
        const bodies = fc.oneof(randomBytes, randomJson, mutatedMessage(route.message("hi", 0)));
        await fc.assert(
          fc.asyncProperty(bodies, async (body) => {
            const result = await send(route, body, false);
            if (route.authenticated) assertUnauthenticated(result, route.name);
            else assertSafe(result, route.name);
          }),
          { seed: SEED, numRuns: RUNS.unauthenticated },
        );
      });

      it("signed random bytes, often not UTF-8, get a 2xx or 4xx", async () => {
        await fc.assert(fc.asyncProperty(randomBytes, async (body) => assertSafe(await send(route, body, true), route.name)), { seed: SEED, numRuns: RUNS.bytes });
      });

      it("signed random JSON values get a 2xx or 4xx", async () => {
        await fc.assert(fc.asyncProperty(randomJson, async (body) => assertSafe(await send(route, body, true), route.name)), { seed: SEED, numRuns: RUNS.json });
      });

      it("a signed well-formed message with one field swapped or removed gets a 2xx or 4xx", async () => {
        await fc.assert(
          fc.asyncProperty(fc.nat(), fc.context(), async (i, ctx) => {
            // A fresh message each run, so dedupe does not stop the parser from seeing it.
            const body = fc.sample(mutatedMessage(route.message("mutate me", ++n)), { seed: SEED + i, numRuns: 1 })[0]!;
            ctx.log(new TextDecoder().decode(body).slice(0, 2_000));
            assertSafe(await send(route, body, true), route.name);
          }),
          { seed: SEED, numRuns: RUNS.mutated },
        );
      });

      it("a signed message whose text has invalid UTF-8 bytes gets a 2xx or 4xx", async () => {
        const marker = "INVALID-UTF8-GOES-HERE";
        await fc.assert(
          fc.asyncProperty(randomBytes, async (bytes) => {
            const [head, tail] = JSON.stringify(route.message(marker, ++n)).split(marker) as [string, string];
            const body = Buffer.concat([Buffer.from(head), bytes, Buffer.from(tail)]);
            assertSafe(await send(route, body, true), route.name);
          }),
          { seed: SEED, numRuns: RUNS.invalidUtf8Text },
        );
      });

      it("a signed message with spoofed system and role tags gets a 2xx or 4xx", async () => {
        await fc.assert(
          fc.asyncProperty(spoofedText, async (text) => {
            const body = new TextEncoder().encode(JSON.stringify(route.message(text, ++n)));
            assertSafe(await send(route, body, true), route.name);
          }),
          { seed: SEED, numRuns: RUNS.spoofed },
        );
      });

      it("100,000 levels of nesting get a 2xx or 4xx", async () => {
        for (const body of [deeplyNested(100_000), deeplyNested(100_000, "{\"a\":", "}"), deeplyNestedObject(100_000)]) {
          assertSafe(await send(route, body, true), `${route.name}, deep nesting`);
        }
      });

      it("a 10 MB body is refused with 413, with or without Content-Length", async () => {
        const declared = await sendHuge(route, false);
        assert.equal(declared.status, 413, declared.body);
        const streamed = await sendHuge(route, true);
        assert.equal(streamed.status, 413, streamed.body);
      });

      it("the gateway is still up and answers a normal message", stillAnswers);
    });
  }

  it("memory stays flat after all of it", async (t) => {
    // One more round of the biggest bodies, then measure.
    for (const route of routes) assert.equal((await sendHuge(route, true)).status, 413);
    await stillAnswers();
    const rss = await fuzz!.rss();
    const growth = rss - rssAfterWarmUp;
    t.diagnostic(`gateway RSS after warm-up ${(rssAfterWarmUp / 2 ** 20).toFixed(1)} MB, after fuzzing ${(rss / 2 ** 20).toFixed(1)} MB (${n} numbered requests plus the random ones)`);
    assert.ok(growth < MAX_RSS_GROWTH, `RSS grew by ${(growth / 2 ** 20).toFixed(1)} MB`);
  });
});
