// The client's side of PROTOCOL.md "Authentication" (the AUTH message, refresh before expiry, a
// new token after a 4001 close). The server does not implement AUTH yet (issue 11), so a small
// stand-in plays the server's part of those rules exactly as PROTOCOL.md writes them; once the
// server has AUTH_MODE=jwt, these checks belong against the real jar.
import { test, describe, after } from "node:test";
import assert from "node:assert/strict";
import WebSocket, { WebSocketServer } from "ws";
import { StaffSyncClient } from "../js/staff-sync.js";
import { waitFor } from "./support/wait.js";

/** Accepts tokens starting with "good"; each AUTH_OK expires `lifetimeMs` later. */
async function authStandIn({ lifetimeMs = 60_000 } = {}) {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise((resolve) => server.once("listening", resolve));
  const seen = { connections: 0, messages: [], beforeAuthOk: [] };
  server.on("connection", (socket) => {
    seen.connections++;
    let authenticated = false;
    const send = (type, payload, extra = {}) => socket.send(JSON.stringify({ type, payload, timestamp: new Date().toISOString(), clientId: "server", sequenceNumber: 0, ...extra }));
    send("CONNECTION_ACK", { connectionId: `conn-${seen.connections}`, epoch: "stand-in", sequenceNumber: 0, protocolVersion: 1, serverVersion: "stand-in" });
    socket.on("message", (data) => {
      const message = JSON.parse(data.toString());
      seen.messages.push(message);
      if (message.type === "AUTH") {
        if (!String(message.payload.token).startsWith("good")) {
          send("ERROR", { code: "UNAUTHORIZED", message: "invalid token" });
          socket.close(4001, "unauthorized");
          return;
        }
        authenticated = true;
        send("AUTH_OK", { role: "editor", subject: "user-1", expiresAt: new Date(Date.now() + lifetimeMs).toISOString() });
      } else if (!authenticated && message.type !== "PING") {
        seen.beforeAuthOk.push(message.type);
        send("ERROR", { code: "UNAUTHORIZED", message: "authenticate first" }, { inReplyTo: message.sequenceNumber });
      } else if (message.type === "SYNC_REQUEST") {
        send("SYNC_RESPONSE", { staff: [], sequenceNumber: 0 }, { inReplyTo: message.sequenceNumber });
      }
    });
  });
  return {
    url: `ws://127.0.0.1:${server.address().port}/staff-sync`,
    seen,
    close: () => new Promise((resolve) => {
      for (const socket of server.clients) socket.terminate();
      server.close(resolve);
    }),
  };
}

describe("authentication (client side, against a stand-in: the server has no AUTH yet)", () => {
  const clients = [];
  after(() => clients.forEach((client) => client.close()));
  const connect = (url, token) => {
    const client = new StaffSyncClient({ url, WebSocket, token, backoffBaseMs: 50, backoffCapMs: 200 });
    clients.push(client);
    return client;
  };

  test("sends AUTH with the token first, and syncs only after AUTH_OK", async () => {
    const standIn = await authStandIn();
    try {
      let calls = 0;
      const client = connect(standIn.url, async () => `good-${++calls}`);
      await waitFor(() => client.status === "live");
      assert.equal(standIn.seen.messages[0].type, "AUTH");
      assert.equal(standIn.seen.messages[0].payload.token, "good-1");
      assert.deepEqual(standIn.seen.beforeAuthOk, []);
      assert.ok(standIn.seen.messages.some((m) => m.type === "SYNC_REQUEST"));
      assert.equal(calls, 1);
    } finally {
      await standIn.close();
    }
  });

  test("asks for a fresh token and sends it again before the current one expires", async () => {
    const standIn = await authStandIn({ lifetimeMs: 1_500 });
    try {
      let calls = 0;
      const client = connect(standIn.url, async () => `good-${++calls}`);
      await waitFor(() => client.status === "live");
      await waitFor(() => standIn.seen.messages.filter((m) => m.type === "AUTH").length >= 2, { what: "a refresh", timeout: 5_000 });
      const tokens = standIn.seen.messages.filter((m) => m.type === "AUTH").map((m) => m.payload.token);
      assert.deepEqual(tokens.slice(0, 2), ["good-1", "good-2"]);
      assert.equal(standIn.seen.connections, 1, "refreshed on the same connection");
    } finally {
      await standIn.close();
    }
  });

  test("a refused token (ERROR, close 4001): the client reports it, reconnects and asks for a new token", async () => {
    const standIn = await authStandIn();
    try {
      const tokens = ["expired-token", "good-again"];
      const errors = [];
      const client = connect(standIn.url, async () => tokens.shift() ?? "good-later");
      client.on("error", (error) => errors.push(error.code));
      await waitFor(() => client.status === "live", { what: "live with the second token" });
      assert.ok(errors.includes("UNAUTHORIZED"), errors.join());
      assert.equal(standIn.seen.connections, 2);
      assert.deepEqual(standIn.seen.beforeAuthOk, []);
    } finally {
      await standIn.close();
    }
  });

  test("a token function that fails: reported, and retried on the next connection", async () => {
    const standIn = await authStandIn();
    try {
      let calls = 0;
      const errors = [];
      const client = connect(standIn.url, async () => {
        calls++;
        if (calls === 1) throw new Error("session not loaded");
        return "good-token";
      });
      client.on("error", (error) => errors.push(error.message));
      await waitFor(() => client.status === "live");
      assert.ok(errors.some((message) => message.includes("session not loaded")), errors.join());
      assert.equal(calls, 2);
    } finally {
      await standIn.close();
    }
  });
});
