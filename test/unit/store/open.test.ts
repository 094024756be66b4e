/** openStore: which URLs open which backend, and the config errors for the rest. */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { openStore, redactStoreUrl } from "../../../src/store/open.ts";
import { clusterPrefix } from "../../../src/store/redis/index.ts";
import { parseRedisUrl } from "../../../src/store/redis/url.ts";
import { ConfigError } from "../../../src/core/errors.ts";

const dir = mkdtempSync(join(tmpdir(), "switchboard-open-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function configError(issue: string | RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    assert.equal(error.issues.length, 1);
    if (typeof issue === "string") assert.equal(error.issues[0], issue);
    else assert.match(error.issues[0] ?? "", issue);
    return true;
  };
}

describe("openStore", () => {
  it("opens an in-memory sqlite store from sqlite::memory:", async () => {
    const store = await openStore("sqlite::memory:");
    try {
      assert.equal(store.kind, "sqlite");
      assert.deepEqual(await store.listSessions(), []);
    } finally {
      await store.close();
    }
  });

  it("opens a sqlite file at an absolute path", async () => {
    const file = join(dir, "abs", "store.db");
    const store = await openStore(`sqlite:${file}`);
    await store.close();
    assert.ok(existsSync(file));
  });

  it("resolves a relative sqlite path against the working directory", async () => {
    const file = join(dir, "rel", "store.db");
    const store = await openStore(`sqlite:${relative(process.cwd(), file)}`);
    await store.close();
    assert.ok(existsSync(file));
  });

  it("opens a redis store from redis://, with the key prefix from ?prefix=", async () => {
    const prefix = `sbopen:${process.pid}:${Date.now()}:`;
    const store = await openStore(`redis://127.0.0.1:6379/0?prefix=${prefix}`);
    try {
      assert.equal(store.kind, "redis");
      await store.setChannelState("c", "k", "v");
      assert.equal(await store.getChannelState("c", "k"), "v");
    } finally {
      await store.close();
    }
    const { Redis } = await import("ioredis");
    const redis = new Redis("redis://127.0.0.1:6379/0");
    try {
      const keys = await redis.keys(`${prefix}*`);
      assert.ok(keys.length > 0, "the data is under the prefix");
      await redis.del(...keys);
    } finally {
      redis.disconnect();
    }
  });

  it("says which redis it could not reach, and refuses an empty prefix", async () => {
    await assert.rejects(openStore("redis://127.0.0.1:1/0"), /store: cannot connect to redis at redis:\/\/127\.0\.0\.1:1\/0/);
    await assert.rejects(openStore("redis://127.0.0.1:6379?prefix="), configError(/redis key prefix is empty/));
  });

  it("rejects an unknown scheme and names the expected form", async () => {
    await assert.rejects(
      openStore("postgres://db/switchboard"),
      configError(
        'store: unsupported store URL "postgres://db/switchboard" (expected sqlite:<path>, redis://[user:pass@]host:port[/db][?prefix=name:], ' +
          "redis+sentinel://[user:pass@]host:port[,host:port…]/<master name>[/db][?prefix=name:&sentinelPassword=…], " +
          "redis+cluster://[user:pass@]host:port[,host:port…][?prefix=name:])",
      ),
    );
    await assert.rejects(openStore("./data.db"), configError(/unsupported store URL "\.\/data\.db"/));
    await assert.rejects(openStore("postgres://app:hunter2@db/switchboard"), configError(/unsupported store URL "postgres:\/\/app:••••@db\/switchboard"/));
  });

  it("rejects a sqlite URL with no path, or the ambiguous sqlite:// form", async () => {
    await assert.rejects(openStore("sqlite:"), configError(/has no file path/));
    await assert.rejects(openStore("sqlite://data.db"), configError(/ambiguous store URL "sqlite:\/\/data\.db"/));
  });

  it("reads every sentinel of a redis+sentinel:// URL, with the master name, database and passwords", () => {
    assert.deepEqual(parseRedisUrl("redis+sentinel://app:p%40ss@sentinel-a:26380,sentinel-b,[::1]:26381/my%20master/2?prefix=gw:&sentinelPassword=s3"), {
      target: {
        topology: "sentinel",
        sentinels: [{ host: "sentinel-a", port: 26380 }, { host: "sentinel-b", port: 26379 }, { host: "::1", port: 26381 }],
        masterName: "my master",
        db: 2,
        username: "app",
        password: "p@ss",
        sentinelPassword: "s3",
      },
      prefix: "gw:",
    });
    assert.deepEqual(parseRedisUrl("redis+sentinel://sentinel-a/mymaster"), {
      target: { topology: "sentinel", sentinels: [{ host: "sentinel-a", port: 26379 }], masterName: "mymaster", db: 0 },
      prefix: undefined,
    });
  });

  it("reads every seed node of a redis+cluster:// URL", () => {
    assert.deepEqual(parseRedisUrl("redis+cluster://:secret@node-a:7000,node-b?prefix={gw}:"), {
      target: { topology: "cluster", nodes: [{ host: "node-a", port: 7000 }, { host: "node-b", port: 6379 }], password: "secret" },
      prefix: "{gw}:",
    });
    assert.equal((parseRedisUrl("redis+cluster://u:pa/ss@node-a").target as { password?: string }).password, "pa/ss", "the userinfo ends at the last @");
  });

  it("rejects a malformed sentinel or cluster URL, naming the expected form and never the password", async () => {
    const cases: Array<[string, RegExp]> = [
      ["redis+sentinel://127.0.0.1:26379", /names no master \(redis\+sentinel:\/\/\[user:pass@\]host:port\[,host:port…\]\/<master name>/],
      ["redis+sentinel://:pw@127.0.0.1:26379/", /"redis\+sentinel:\/\/:••••@127\.0\.0\.1:26379\/" names no master/],
      ["redis+sentinel:///mymaster", /names no host/],
      ["redis+sentinel://127.0.0.1:99999/mymaster", /has a bad host "127\.0\.0\.1:99999" \(host:port/],
      ["redis+sentinel://127.0.0.1/mymaster/two", /has a bad database number "two"/],
      ["redis+sentinel://127.0.0.1/mymaster/0/x", /is not a valid redis URL \(expected redis\+sentinel:/],
      ["redis+sentinel://127.0.0.1/mymaster?sentinelPasword=x", /has an unknown option "sentinelPasword" \(allowed: prefix, sentinelPassword;/],
      ["redis+sentinel://127.0.0.1/mymaster?sentinelPassword=hunter2&db=1", /sentinelPassword=••••&db=1" has an unknown option "db"/],
      ["redis+cluster://u:pw@127.0.0.1:7000/0", /"redis\+cluster:\/\/u:••••@127\.0\.0\.1:7000\/0" has a path, but Redis Cluster has only database 0/],
      ["redis+cluster://127.0.0.1:7000,,127.0.0.2", /has a bad host ""/],
      ["redis+cluster://127.0.0.1?sentinelPassword=x", /has an unknown option "sentinelPassword" \(allowed: prefix;/],
      ["redis+cluster://127.0.0.1?prefix=", /redis key prefix is empty/],
      ["redis+cluster://u:pa/ss@127.0.0.1?db=1", /"redis\+cluster:\/\/u:••••@127\.0\.0\.1\?db=1" has an unknown option "db"/],
    ];
    // Every case is refused before any connection is tried; the hosts are loopback all the same.
    for (const [url, issue] of cases) {
      await assert.rejects(openStore(url), configError(issue), url);
      await assert.rejects(openStore(url), (error: Error) => !/\bpw\b|hunter2|pa\/ss/.test(error.message), `${url} leaks a password`);
    }
  });

  it("shows a store URL without its passwords", () => {
    assert.equal(redactStoreUrl("sqlite:./data/switchboard.db"), "sqlite:./data/switchboard.db");
    assert.equal(redactStoreUrl("redis://127.0.0.1:6379/0?prefix=sb:"), "redis://127.0.0.1:6379/0?prefix=sb:");
    assert.equal(redactStoreUrl("rediss://app:s3cret@cache:6380/0"), "rediss://app:••••@cache:6380/0");
    assert.equal(redactStoreUrl("redis+sentinel://:pw@s1,s2/mymaster?sentinelPassword=sp&prefix=a:"), "redis+sentinel://:••••@s1,s2/mymaster?sentinelPassword=••••&prefix=a:");
    assert.equal(redactStoreUrl("redis+cluster://user@n1:7000"), "redis+cluster://user@n1:7000", "a user name alone is no secret");
  });

  it("on Cluster, makes the key prefix a hash tag so a whole store shares one slot", async () => {
    assert.equal(clusterPrefix("switchboard:"), "{switchboard}:");
    assert.equal(clusterPrefix("team-a"), "{team-a}");
    assert.equal(clusterPrefix("a:b::"), "{a:b}::");
    assert.equal(clusterPrefix("{sb}:"), "{sb}:", "a prefix with its own tag is kept");
    assert.equal(clusterPrefix("gw:{eu}:"), "gw:{eu}:");
    await assert.rejects(openStore("redis+cluster://127.0.0.1:1?prefix=gw{:"), configError(/prefix "gw\{:" has a "\{" without a complete, non-empty \{tag\}/));
    await assert.rejects(openStore("redis+cluster://127.0.0.1:1?prefix={}:"), configError(/without a complete, non-empty/));
  });
});
