/**
 * `gatewayTools:` in an agent's config: the channel allowlist, the schedule switch and an optional
 * fixed token, with errors that name the field; and the cross-checks (unknown channels, a token
 * shared by two agents) as config issue lines.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { gatewayToolsIssues, gatewayToolsSchema } from "../../../src/config/mcp.ts";

const issuesOf = (input: unknown) => {
  const parsed = gatewayToolsSchema.safeParse(input);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
};

describe("gatewayTools config", () => {
  it("takes a list of channel ids or *, schedule off unless set, and a token from an env string", () => {
    assert.deepEqual(gatewayToolsSchema.parse({ channels: ["slack-main", "email"] }), { channels: ["slack-main", "email"], schedule: false });
    assert.deepEqual(gatewayToolsSchema.parse({ channels: "*", schedule: "true", token: "t".repeat(32) }), { channels: "*", schedule: true, token: "t".repeat(32) });
  });

  it("refuses what it cannot mean, naming the field", () => {
    assert.ok(issuesOf({}).some((line) => line.startsWith("channels:")), "channels must be given");
    assert.ok(issuesOf({ channels: [] }).some((line) => line.startsWith("channels")), "an empty list allows nothing: leave the block out instead");
    assert.ok(issuesOf({ channels: "all" }).some((line) => line.startsWith("channels")));
    assert.deepEqual(issuesOf({ channels: "*", token: "short" }), ["token: must be at least 24 characters (write ${SOME_SECRET}; e.g. openssl rand -hex 32)"]);
    assert.deepEqual(issuesOf({ channels: "*", token: "has a space in it 0123456789" }), ["token: must not contain spaces"]);
    assert.ok(issuesOf({ channels: "*", sendTo: ["x"] }).some((line) => /sendTo/.test(line)), "unknown keys are refused");
  });

  it("cross-checks channel ids and tokens across agents", () => {
    const token = "shared-token-0123456789abcdef";
    const issues = gatewayToolsIssues(
      {
        a: { gatewayTools: { channels: ["slack", "nope"], schedule: false, token } },
        b: { gatewayTools: { channels: "*", schedule: true, token } },
        c: {},
      },
      ["slack", "api"],
    );
    assert.deepEqual(issues, [
      'agents.a.gatewayTools.channels.1: unknown channel "nope" (known: slack, api)',
      "agents.b.gatewayTools.token: the same token as agents.a.gatewayTools.token; each agent needs its own",
    ]);
    assert.doesNotMatch(issues.join("\n"), new RegExp(token), "the token itself is not repeated");
  });
});
