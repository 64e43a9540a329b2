// The client's side of PROTOCOL.md "Authentication" (the AUTH message, refresh before expiry, a
// new token after a 4001 close), against the real jar with AUTH_MODE=jwt. The tokens are HS256
// access tokens shaped like Supabase's, signed here with the server's SUPABASE_JWT_SECRET; a proxy
// between client and server records what passes.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import WebSocket from "ws";
import { StaffSyncClient } from "../js/staff-sync.js";
import { startProxy } from "./support/proxy.js";
import { startServer } from "./support/server.js";
import { waitFor } from "./support/wait.js";

const SECRET = "the-js-auth-tests-secret-at-least-32-characters";

const base64url = (json) => Buffer.from(JSON.stringify(json)).toString("base64url");

/** An editor's access token for `subject`, expiring `lifetimeSeconds` from now (negative: expired). */
function token(subject, { lifetimeSeconds = 3600 } = {}) {
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    sub: subject, aud: "authenticated", role: "authenticated", iat: Math.min(now, now + lifetimeSeconds),
    exp: now + lifetimeSeconds, app_metadata: { provider: "email", staff_sync_role: "editor" },
  };
  const unsigned = `${base64url({ alg: "HS256", typ: "JWT" })}.${base64url(claims)}`;
  return `${unsigned}.${createHmac("sha256", SECRET).update(unsigned).digest("base64url")}`;
}

describe("authentication (client side, against the real jar with AUTH_MODE=jwt)", () => {
  let server;
  const clients = [];
  const proxies = [];
  before(async () => {
    server = await startServer({ env: { AUTH_MODE: "jwt", SUPABASE_JWT_SECRET: SECRET } });
  });
  after(async () => {
    clients.forEach((client) => client.close());
    await Promise.all(proxies.map((proxy) => proxy.close()));
    await server?.stop();
  });

  /**
   * A proxy in front of the server that passes its close codes through (4001 included) and notes
   * in `beforeAuthOk` what a client sent on a connection before that connection's AUTH_OK (AUTH
   * and PING are allowed then).
   */
  async function watchedProxy() {
    const proxy = await startProxy(server.wsUrl);
    proxies.push(proxy);
    proxy.forwardCloseCodes = true;
    proxy.beforeAuthOk = [];
    let authenticated = false;
    proxy.onServerMessage = (message) => {
      if (message.type === "CONNECTION_ACK") authenticated = false;
      if (message.type === "AUTH_OK") authenticated = true;
    };
    proxy.onClientMessage = (message) => {
      if (!authenticated && message.type !== "AUTH" && message.type !== "PING") proxy.beforeAuthOk.push(message.type);
    };
    return proxy;
  }

  const connect = (url, tokenFunction) => {
    const client = new StaffSyncClient({ url, WebSocket, token: tokenFunction, backoffBaseMs: 50, backoffCapMs: 200 });
    clients.push(client);
    return client;
  };

  test("sends AUTH with the token first, and syncs only after AUTH_OK", async () => {
    const proxy = await watchedProxy();
    const tokens = [];
    const client = connect(proxy.url, async () => {
      tokens.push(token("user-first"));
      return tokens.at(-1);
    });
    await waitFor(() => client.status === "live");
    assert.equal(proxy.fromClient[0].type, "AUTH");
    assert.equal(proxy.fromClient[0].payload.token, tokens[0]);
    assert.deepEqual(proxy.beforeAuthOk, []);
    assert.ok(proxy.fromClient.some((m) => m.type === "SYNC_REQUEST"));
    assert.equal(tokens.length, 1);
  });

  test("asks for a fresh token and sends it again before the current one expires", async () => {
    const proxy = await watchedProxy();
    const tokens = [];
    // The server closes a connection (4001) the moment its token expires: 3 s here.
    const client = connect(proxy.url, async () => {
      tokens.push(token("user-refreshing", { lifetimeSeconds: 3 }));
      return tokens.at(-1);
    });
    await waitFor(() => client.status === "live");
    await waitFor(() => proxy.fromServer.filter((m) => m.type === "AUTH_OK").length >= 2, { what: "a refresh", timeout: 10_000 });
    const sent = proxy.fromClient.filter((m) => m.type === "AUTH").map((m) => m.payload.token);
    assert.deepEqual(sent.slice(0, 2), tokens.slice(0, 2));
    assert.equal(proxy.connections, 1, "refreshed on the same connection");
    assert.ok(!proxy.fromServer.some((m) => m.type === "ERROR"), JSON.stringify(proxy.fromServer));
  });

  test("a refused token (ERROR, close 4001): the client reports it, reconnects and asks for a new token", async () => {
    const proxy = await watchedProxy();
    const tokens = [token("user-expired", { lifetimeSeconds: -3600 }), token("user-again")];
    const errors = [];
    const client = connect(proxy.url, async () => tokens.shift() ?? token("user-later"));
    client.on("error", (error) => errors.push(error.code));
    await waitFor(() => client.status === "live", { what: "live with the second token" });
    assert.ok(errors.includes("UNAUTHORIZED"), errors.join());
    assert.equal(proxy.connections, 2);
    assert.deepEqual(proxy.beforeAuthOk, []);
  });

  test("a token function that fails: reported, and retried on the next connection", async () => {
    const proxy = await watchedProxy();
    let calls = 0;
    const errors = [];
    const client = connect(proxy.url, async () => {
      calls++;
      if (calls === 1) throw new Error("session not loaded");
      return token("user-late-session");
    });
    client.on("error", (error) => errors.push(error.message));
    await waitFor(() => client.status === "live");
    assert.ok(errors.some((message) => message.includes("session not loaded")), errors.join());
    assert.equal(calls, 2);
  });
});
