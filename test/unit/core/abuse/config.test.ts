/** The `limits:` config: rates in their written forms, per-channel overrides, and errors that name the path. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseConfig } from "../../../../src/config/load.ts";
import { ConfigError } from "../../../../src/core/errors.ts";
import { limitsFor, parseRate } from "../../../../src/core/abuse/config.ts";
import { describeRate } from "../../../../src/core/abuse/accept-guard.ts";

describe("limits config", () => {
  it("reads rates written as N/unit, N/duration and { count, per }", () => {
    assert.deepEqual(parseRate("20/min"), { count: 20, perMs: 60_000 });
    assert.deepEqual(parseRate("600 / hour"), { count: 600, perMs: 3_600_000 });
    assert.deepEqual(parseRate("5/10s"), { count: 5, perMs: 10_000 });
    assert.deepEqual(parseRate("100 per day"), { count: 100, perMs: 86_400_000 });
    assert.deepEqual(parseRate("3/seconds"), { count: 3, perMs: 1000 });
    for (const bad of ["20", "0/min", "20/fortnight", "/min", "twenty/min"]) assert.equal(parseRate(bad), undefined, bad);
    const config = parseConfig({ limits: { perSender: "20/min", perChannel: { count: 600, per: "1m" } } }, { env: {} });
    assert.deepEqual(config.limits.perSender, { count: 20, perMs: 60_000 });
    assert.deepEqual(config.limits.perChannel, { count: 600, perMs: 60_000 });
  });

  it("rate limits and the loop guard are off unless set; the caps are on", () => {
    const limits = limitsFor(parseConfig({}, { env: {} }).limits, "api");
    assert.deepEqual(limits, { perSender: undefined, perChannel: undefined, loopGuard: undefined, maxMessageChars: 40_000, maxAttachments: 20 });
  });

  it("a loop guard given partly gets the other defaults", () => {
    const config = parseConfig({ limits: { loopGuard: { cooldown: "1m" } } }, { env: {} });
    assert.deepEqual(config.limits.loopGuard, { burst: 10, withinMs: 10_000, cooldownMs: 60_000 });
  });

  it("a channel overrides what it names, turns limits off with off, and inherits the rest", () => {
    const config = parseConfig(
      {
        limits: {
          perSender: "20/min",
          loopGuard: {},
          maxAttachments: 5,
          channels: { web: { perSender: "5/min", maxMessageChars: 1000 }, api: { perSender: "off", loopGuard: false } },
        },
      },
      { env: {} },
    );
    assert.deepEqual(limitsFor(config.limits, "web"), {
      perSender: { count: 5, perMs: 60_000 },
      perChannel: undefined,
      loopGuard: { burst: 10, withinMs: 10_000, cooldownMs: 300_000 },
      maxMessageChars: 1000,
      maxAttachments: 5,
    });
    assert.equal(limitsFor(config.limits, "api").perSender, undefined);
    assert.equal(limitsFor(config.limits, "api").loopGuard, undefined);
    assert.deepEqual(limitsFor(config.limits, "slack").perSender, { count: 20, perMs: 60_000 });
  });

  it("a bad value is a config error naming its path and how to write it", () => {
    const issues = (input: unknown) => {
      try {
        parseConfig(input, { env: {} });
      } catch (error) {
        if (error instanceof ConfigError) return error.issues;
        throw error;
      }
      return [];
    };
    assert.deepEqual(issues({ limits: { perSender: "20 a minute" } }), ['limits.perSender: "20 a minute" is not a rate (use e.g. 20/min, 600/h, 5/10s, { count, per }, or off)']);
    assert.match(issues({ limits: { channels: { web: { perChannel: "lots" } } } })[0]!, /^limits\.channels\.web\.perChannel: "lots" is not a rate/);
    assert.match(issues({ limits: { loopGuard: { burst: 0 } } })[0]!, /^limits\.loopGuard\.burst: /);
    assert.match(issues({ limits: { maxMessageChars: "big" } })[0]!, /^limits\.maxMessageChars: /);
    assert.match(issues({ limits: { perSender: { count: 5 } } })[0]!, /^limits\.perSender\.per: /);
    assert.match(issues({ limits: { perMinute: 5 } })[0]!, /^limits\.perMinute: unknown key/);
  });

  it("says a rate the way a person would", () => {
    assert.equal(describeRate({ count: 20, perMs: 60_000 }), "20 messages per minute");
    assert.equal(describeRate({ count: 1, perMs: 10_000 }), "1 message per 10 seconds");
    assert.equal(describeRate({ count: 600, perMs: 3_600_000 }), "600 messages per hour");
  });
});
