/** openStore: which URLs open which backend, and the config errors for the rest. */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { openStore } from "../../../src/store/open.ts";
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
      configError('store: unsupported store URL "postgres://db/switchboard" (expected sqlite:<path> or redis://host:port[/db][?prefix=name:])'),
    );
    await assert.rejects(openStore("./data.db"), configError(/unsupported store URL "\.\/data\.db"/));
  });

  it("rejects a sqlite URL with no path, or the ambiguous sqlite:// form", async () => {
    await assert.rejects(openStore("sqlite:"), configError(/has no file path/));
    await assert.rejects(openStore("sqlite://data.db"), configError(/ambiguous store URL "sqlite:\/\/data\.db"/));
  });
});
