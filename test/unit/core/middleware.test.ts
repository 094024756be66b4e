import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { compose, type Middleware } from "../../../src/core/middleware.ts";
import { rateLimit } from "../../../src/core/rate-limit.ts";
import { adminHeaders, getJson, postJson, startGateway, type TestGateway } from "../../helpers/gateway.ts";

interface Ctx {
  log: string[];
}

describe("compose", () => {
  it("runs middleware like an onion: in order on the way in, reversed on the way out", async () => {
    const layer = (name: string): Middleware<Ctx> => async (ctx, next) => {
      ctx.log.push(`${name} in`);
      await next();
      ctx.log.push(`${name} out`);
    };
    const ctx: Ctx = { log: [] };
    await compose([layer("a"), layer("b")])(ctx, async () => {
      ctx.log.push("core");
    });
    assert.deepEqual(ctx.log, ["a in", "b in", "core", "b out", "a out"]);
  });

  it("with no middleware runs the last step", async () => {
    const ctx: Ctx = { log: [] };
    await compose<Ctx>([])(ctx, async () => {
      ctx.log.push("core");
    });
    assert.deepEqual(ctx.log, ["core"]);
  });

  it("a middleware that does not call next() stops the chain", async () => {
    const ctx: Ctx = { log: [] };
    const stop: Middleware<Ctx> = (c) => {
      c.log.push("stop");
    };
    const never: Middleware<Ctx> = async (c, next) => {
      c.log.push("never");
      await next();
    };
    await compose([stop, never])(ctx, async () => {
      ctx.log.push("core");
    });
    assert.deepEqual(ctx.log, ["stop"]);
  });

  it("calling next() twice is an error", async () => {
    const twice: Middleware<Ctx> = async (_ctx, next) => {
      await next();
      await next();
    };
    let cores = 0;
    await assert.rejects(
      compose([twice])({ log: [] }, async () => {
        cores++;
      }),
      /next\(\) more than once/,
    );
    assert.equal(cores, 1, "the last step ran once");
  });

  it("an error in the last step propagates through every layer", async () => {
    const seen: string[] = [];
    const watch = (name: string): Middleware<Ctx> => async (_ctx, next) => {
      try {
        await next();
      } catch (error) {
        seen.push(`${name}: ${(error as Error).message}`);
        throw error;
      }
    };
    await assert.rejects(
      compose([watch("outer"), watch("inner")])({ log: [] }, async () => {
        throw new Error("boom");
      }),
      /boom/,
    );
    assert.deepEqual(seen, ["inner: boom", "outer: boom"]);
  });

  it("an error thrown by a middleware rejects the composed call", async () => {
    const failing: Middleware<Ctx> = () => {
      throw new Error("denied");
    };
    await assert.rejects(compose([failing])({ log: [] }, async () => undefined), /denied/);
  });

  it("an outer middleware can catch an inner error", async () => {
    const ctx: Ctx = { log: [] };
    const guard: Middleware<Ctx> = async (c, next) => {
      try {
        await next();
      } catch (error) {
        c.log.push(`caught ${(error as Error).message}`);
      }
    };
    await compose([guard])(ctx, async () => {
      throw new Error("agent down");
    });
    assert.deepEqual(ctx.log, ["caught agent down"]);
  });
});

describe("rateLimit through a gateway", () => {
  let t: TestGateway;
  before(async () => {
    t = await startGateway({}, (gw) => gw.use(rateLimit({ limit: 2, windowMs: 60_000 })));
  });
  after(() => t.stop());

  it("the third message from one user in the window gets 429 with a reason; another user is unaffected", async () => {
    const first = await postJson(`${t.url}/v1/messages`, { user: "chatty", text: "one" });
    const second = await postJson(`${t.url}/v1/messages`, { user: "chatty", text: "two" });
    assert.equal(first.status, 200);
    assert.equal(second.status, 200);
    assert.equal(second.body.reply, "two");

    const third = await postJson(`${t.url}/v1/messages`, { user: "chatty", text: "three" });
    assert.equal(third.status, 429);
    assert.match(third.body.error, /rate limit/);

    const other = await postJson(`${t.url}/v1/messages`, { user: "quiet", text: "hello" });
    assert.equal(other.status, 200);
    assert.equal(other.body.reply, "hello");

    // The refused message was not stored: the session holds only the two accepted ones.
    const shown = await getJson(`${t.url}/v1/sessions/${first.body.session}`, adminHeaders);
    assert.deepEqual(
      shown.body.transcript.filter((e: { role: string }) => e.role === "user").map((e: { text: string }) => e.text),
      ["one", "two"],
    );
  });
});
