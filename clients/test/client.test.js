// The JavaScript client against the real server (build/staff-sync.jar), with Node's test runner.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import WebSocket from "ws";
import { StaffSyncClient, StaffSyncError } from "../js/staff-sync.js";
import { startServer } from "./support/server.js";
import { startProxy } from "./support/proxy.js";
import { serverSnapshot, sortedRows } from "./support/wire.js";
import { waitFor } from "./support/wait.js";

const FAST = { backoffBaseMs: 50, backoffCapMs: 400 };
const clients = [];

function connect(url, options = {}) {
  const client = new StaffSyncClient({ url, WebSocket, ...FAST, ...options });
  clients.push(client);
  return client;
}

async function live(client) {
  await waitFor(() => client.status === "live", { what: `client ${client.clientId} to be live` });
  return client;
}

/** Counts how a promise settles, to prove "exactly once". */
function tracked(promise) {
  const record = { settled: 0, value: undefined, error: undefined };
  record.done = promise.then(
    (value) => { record.settled++; record.value = value; },
    (error) => { record.settled++; record.error = error; },
  );
  return record;
}

after(() => {
  for (const client of clients) client.close();
});

describe("against one server", () => {
  let server;
  before(async () => { server = await startServer(); });
  after(async () => { await server.stop(); });

  test("goes live with the server's epoch, sequence number and rows", async () => {
    const writer = await live(connect(server.wsUrl));
    await writer.create({ name: "First" });
    const client = await live(connect(server.wsUrl));
    const snapshot = await serverSnapshot(server.wsUrl);
    const health = await server.health();
    assert.equal(client.epoch, health.epoch);
    assert.equal(client.sequenceNumber, snapshot.sequenceNumber);
    assert.deepEqual(sortedRows(client.rows), snapshot.rows);
  });

  test("create resolves with the server's event, and every client applies it", async () => {
    const a = await live(connect(server.wsUrl));
    const b = await live(connect(server.wsUrl));
    const seenByB = [];
    b.on("change", (change) => seenByB.push(change));
    const event = await a.create({ id: "ada", name: "Ada Lovelace", position: "Nurse", period: 2 });
    assert.equal(event.type, "STAFF_CREATE");
    assert.equal(event.clientId, a.clientId);
    assert.equal(typeof event.inReplyTo, "number");
    assert.equal(event.payload.version, 1);
    assert.deepEqual(a.rows.get("ada"), event.payload);
    await waitFor(() => b.rows.get("ada"), { what: "b to see the row" });
    assert.deepEqual(b.rows.get("ada"), event.payload);
    assert.equal(b.sequenceNumber, event.sequenceNumber);
    assert.equal(seenByB.at(-1).kind, "create");
    assert.equal(seenByB.at(-1).id, "ada");
  });

  test("create makes the id itself when the row has none", async () => {
    const client = await live(connect(server.wsUrl));
    const event = await client.create({ name: "No Id" });
    assert.match(event.payload.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  test("update sends the version it holds and the row's version rises", async () => {
    const a = await live(connect(server.wsUrl));
    const b = await live(connect(server.wsUrl));
    await a.create({ id: "upd", name: "Before" });
    await waitFor(() => b.rows.get("upd"));
    const event = await b.update("upd", { name: "After" });
    assert.equal(event.payload.version, 2);
    await waitFor(() => a.rows.get("upd")?.version === 2, { what: "a to apply version 2" });
    assert.equal(a.rows.get("upd").name, "After");
    const third = await a.update("upd", { department: "ICU" });
    assert.equal(third.payload.staff.version, 3);
    const sent = third.inReplyTo;
    assert.ok(sent > 0);
  });

  test("an update on a stale version rejects with VERSION_CONFLICT and the current row, already in rows", async () => {
    const a = await live(connect(server.wsUrl));
    await a.create({ id: "stale", name: "One" });
    await a.update("stale", { name: "Two" });
    const error = await a.update("stale", { name: "Three" }, { version: 1 }).then(
      () => assert.fail("a stale update must not succeed"), (e) => e);
    assert.ok(error instanceof StaffSyncError);
    assert.equal(error.code, "VERSION_CONFLICT");
    assert.equal(error.staffId, "stale");
    assert.equal(error.current.version, 2);
    assert.equal(error.current.name, "Two");
    assert.deepEqual(a.rows.get("stale"), error.current);
    const retried = await a.update("stale", { name: "Three" });
    assert.equal(retried.payload.version, 3);
  });

  test("remove deletes the row everywhere", async () => {
    const a = await live(connect(server.wsUrl));
    const b = await live(connect(server.wsUrl));
    await a.create({ id: "gone", name: "Gone Soon" });
    await waitFor(() => b.rows.has("gone"));
    const event = await b.remove("gone");
    assert.equal(event.type, "STAFF_DELETE");
    await waitFor(() => !a.rows.has("gone"), { what: "a to drop the row" });
    assert.equal(b.rows.has("gone"), false);
  });

  test("a refused change rejects with the server's code and the client stays usable", async () => {
    const client = await live(connect(server.wsUrl));
    const invalid = await client.create({ name: "   " }).then(() => assert.fail("blank name accepted"), (e) => e);
    assert.equal(invalid.code, "VALIDATION_FAILED");
    const duplicate = await client.create({ id: "ada", name: "Again" }).then(() => assert.fail("duplicate accepted"), (e) => e);
    assert.equal(duplicate.code, "ALREADY_EXISTS");
    const unknown = await client.update("no-such-row", { name: "x" }).then(() => assert.fail(), (e) => e);
    assert.equal(unknown.code, "NOT_FOUND");
    const ok = await client.create({ name: "Still Works" });
    assert.equal(ok.payload.version, 1);
    assert.equal(client.pendingCount, 0);
  });

  test("an event older than the row held is not applied again", async () => {
    const proxy = await startProxy(server.wsUrl);
    try {
      const writer = await live(connect(server.wsUrl));
      await writer.create({ id: "older", name: "V1" });
      const client = await live(connect(proxy.url));
      await waitFor(() => client.rows.get("older"));
      const changes = [];
      client.on("change", (change) => changes.push(change));
      // Hold the broadcast of version 2 back from this client, then let it conflict on version 1:
      // the ERROR brings version 2 first.
      proxy.onServerMessage = (message) => (message.type === "STAFF_UPDATE" ? "hold" : undefined);
      await writer.update("older", { name: "V2" });
      await waitFor(() => proxy.held.length === 1, { what: "the update to be held back" });
      const conflict = await client.update("older", { name: "mine" }).then(() => assert.fail(), (e) => e);
      assert.equal(conflict.code, "VERSION_CONFLICT");
      assert.equal(client.rows.get("older").version, 2);
      assert.equal(changes.length, 1);
      const positionBefore = client.sequenceNumber;
      proxy.onServerMessage = null;
      proxy.release();
      await waitFor(() => client.sequenceNumber === positionBefore + 1, { what: "the held event to be taken in order" });
      assert.equal(changes.length, 1, "the event for version 2 changed nothing: version 2 was already held");
      assert.equal(client.rows.get("older").name, "V2");
    } finally {
      await proxy.close();
    }
  });

  test("a gap in sequenceNumber triggers a resync instead of a silently different list", async () => {
    const proxy = await startProxy(server.wsUrl);
    try {
      const client = await live(connect(proxy.url));
      const writer = await live(connect(server.wsUrl));
      let dropped = null;
      proxy.onServerMessage = (message) => {
        if (!dropped && message.type === "STAFF_CREATE" && message.payload.name === "Gap 2") {
          dropped = message;
          return "drop";
        }
        return undefined;
      };
      const syncsBefore = proxy.fromClient.filter((m) => m.type === "SYNC_REQUEST").length;
      for (const name of ["Gap 1", "Gap 2", "Gap 3"]) await writer.create({ name });
      await waitFor(() => dropped && client.rows.has(dropped.payload.id), { what: "the dropped event's row to arrive by resync" });
      const resync = proxy.fromClient.filter((m) => m.type === "SYNC_REQUEST").slice(syncsBefore);
      assert.equal(resync.length, 1);
      assert.equal(resync[0].payload.sinceSequence, dropped.sequenceNumber - 1);
      assert.equal(resync[0].payload.epoch, client.epoch);
      const snapshot = await serverSnapshot(server.wsUrl);
      await waitFor(() => client.sequenceNumber >= snapshot.sequenceNumber);
      assert.deepEqual(sortedRows(client.rows), snapshot.rows);
      assert.equal(client.status, "live");
    } finally {
      await proxy.close();
    }
  });

  test("a connection dropped mid-reply: the change is applied once and its promise settles once", async () => {
    const proxy = await startProxy(server.wsUrl);
    try {
      const client = await live(connect(proxy.url));
      // Cut the connection the moment the server's answer to this client's create passes.
      proxy.onServerMessage = (message) => {
        if (message.type === "STAFF_CREATE" && message.clientId === client.clientId) {
          proxy.onServerMessage = null;
          return "cut";
        }
        return undefined;
      };
      const statuses = [];
      client.on("status", (status) => statuses.push(status));
      const create = tracked(client.create({ id: "mid-reply", name: "Mid Reply" }));
      await create.done;
      assert.equal(create.settled, 1);
      assert.equal(create.error, undefined);
      assert.equal(create.value.payload.id, "mid-reply");
      assert.deepEqual(statuses, ["reconnecting", "live"]);
      assert.equal(proxy.connections, 2);
      const resume = proxy.fromClient.filter((m) => m.type === "SYNC_REQUEST").at(-1);
      assert.equal(typeof resume.payload.sinceSequence, "number", "the client resumed instead of reloading");
      const snapshot = await serverSnapshot(server.wsUrl);
      assert.equal(snapshot.rows.filter((row) => row.id === "mid-reply").length, 1);
      assert.equal(snapshot.rows.find((row) => row.id === "mid-reply").version, 1);
      assert.deepEqual(client.rows.get("mid-reply"), snapshot.rows.find((row) => row.id === "mid-reply"));
    } finally {
      await proxy.close();
    }
  });

  test("a connection dropped before the change reached the server: it is sent again after the resume", async () => {
    const proxy = await startProxy(server.wsUrl);
    try {
      const client = await live(connect(proxy.url));
      proxy.onClientMessage = (message) => {
        if (message.type === "STAFF_UPDATE" || message.type === "STAFF_CREATE") {
          proxy.onClientMessage = null;
          return "cut";
        }
        return undefined;
      };
      const create = tracked(client.create({ id: "lost-send", name: "Lost Send" }));
      await create.done;
      assert.equal(create.settled, 1);
      assert.equal(create.value?.payload.version, 1);
      const sent = proxy.fromClient.filter((m) => m.type === "STAFF_CREATE" && m.payload.staff.id === "lost-send");
      assert.equal(sent.length, 1, "sent once more, on the new connection");
      assert.equal(sent[0].sequenceNumber, create.value.inReplyTo);
    } finally {
      await proxy.close();
    }
  });

  test("a connection that goes silent is noticed by the heartbeat and replaced", async () => {
    const proxy = await startProxy(server.wsUrl);
    try {
      const client = await live(connect(proxy.url, { heartbeatMs: 300 }));
      proxy.frozen = true;
      await waitFor(() => client.status === "reconnecting", { what: "the silent connection to be given up" });
      proxy.frozen = false;
      proxy.cutAll();
      await live(client);
      assert.ok(proxy.connections >= 2);
      const event = await client.create({ name: "After Silence" });
      assert.equal(event.payload.version, 1);
    } finally {
      await proxy.close();
    }
  });

  test("reconnects for ever, and changes made meanwhile are sent once it is live again", async () => {
    const proxy = await startProxy(server.wsUrl);
    try {
      const client = await live(connect(proxy.url));
      proxy.target = "ws://127.0.0.1:1/staff-sync"; // nothing listens there: every attempt fails
      proxy.cutAll();
      await waitFor(() => client.status === "reconnecting");
      const create = tracked(client.create({ id: "queued", name: "Queued" }));
      await waitFor(() => client.reconnectAttempts >= 5, { what: "five failed attempts in a row" });
      assert.equal(create.settled, 0);
      assert.equal(client.pendingCount, 1);
      proxy.target = server.wsUrl;
      await create.done;
      assert.equal(create.value?.payload.id, "queued");
      assert.equal(client.status, "live");
      assert.equal(client.reconnectAttempts, 0);
    } finally {
      await proxy.close();
    }
  });

  test("reconnect() replaces the connection at once and resumes from the same position", async () => {
    const proxy = await startProxy(server.wsUrl);
    try {
      const client = await live(connect(proxy.url));
      await client.create({ name: "Before Reconnect" });
      const position = client.sequenceNumber;
      const statuses = [];
      client.on("status", (status) => statuses.push(status));
      client.reconnect();
      await waitFor(() => statuses.at(-1) === "live", { what: "live again" });
      assert.deepEqual(statuses, ["reconnecting", "live"]);
      assert.equal(proxy.connections, 2);
      const resume = proxy.fromClient.filter((m) => m.type === "SYNC_REQUEST").at(-1);
      assert.deepEqual(resume.payload, { sinceSequence: position, epoch: client.epoch });
    } finally {
      await proxy.close();
    }
  });

  test("close() fails unanswered changes with CLOSED, once, and stops for good", async () => {
    const proxy = await startProxy(server.wsUrl);
    try {
      const client = await live(connect(proxy.url));
      proxy.onClientMessage = (message) => (message.type === "STAFF_CREATE" ? "drop" : undefined);
      const create = tracked(client.create({ name: "Never Answered" }));
      await waitFor(() => client.pendingCount === 1);
      const statuses = [];
      client.on("status", (status) => statuses.push(status));
      client.close();
      await create.done;
      assert.equal(create.settled, 1);
      assert.equal(create.error.code, "CLOSED");
      assert.equal(client.status, "closed");
      assert.deepEqual(statuses, ["closed"]);
      await assert.rejects(client.create({ name: "After Close" }), { code: "CLOSED" });
      await waitFor(() => proxy.pairs.size === 0, { what: "the socket to be closed" });
    } finally {
      await proxy.close();
    }
  });
});

describe("with a tight rate limit", () => {
  let server;
  before(async () => { server = await startServer({ env: { RATE_LIMIT_PER_SECOND: "5", RATE_LIMIT_BURST: "3" } }); });
  after(async () => { await server.stop(); });

  test("changes answered RATE_LIMITED are sent again after a pause, and each is applied once", async () => {
    const proxy = await startProxy(server.wsUrl);
    try {
      const client = await live(connect(proxy.url));
      const changes = [];
      for (let i = 0; i < 8; i++) changes.push(tracked(client.create({ id: `limited-${i}`, name: `Limited ${i}` })));
      await Promise.all(changes.map((change) => change.done));
      for (const change of changes) assert.equal(change.error, undefined, change.error?.message);
      const limited = proxy.fromServer.filter((m) => m.type === "ERROR" && m.payload.code === "RATE_LIMITED");
      assert.ok(limited.length > 0, "the server limited some of them");
      const snapshot = await serverSnapshot(server.wsUrl);
      assert.deepEqual(snapshot.rows.map((row) => [row.id, row.version]).sort(),
        changes.map((_, i) => [`limited-${i}`, 1]).sort());
    } finally {
      await proxy.close();
    }
  });
});

describe("across server restarts", () => {
  let dataDir;
  before(async () => { dataDir = await mkdtemp(path.join(os.tmpdir(), "staff-sync-js-")); });
  after(async () => { await rm(dataDir, { recursive: true, force: true }); });

  test("a kill -9 during a burst of changes (file store): every promise settles once and the rows equal the server's", async () => {
    const env = { STORE: "file", DATA_DIR: dataDir };
    let server = await startServer({ env });
    const ports = server.ports;
    try {
      const client = await live(connect(server.wsUrl));
      const existing = [];
      for (let i = 0; i < 40; i++) existing.push((await client.create({ id: `keep-${i}`, name: `Keep ${i}` })).payload.id);
      const changes = [];
      for (let i = 0; i < 200; i++) changes.push(tracked(client.create({ id: `burst-${i}`, name: `Burst ${i}`, period: i % 4 })));
      for (const id of existing) changes.push(tracked(client.update(id, { department: "after the crash" })));
      await waitFor(() => changes.filter((c) => c.settled).length >= 30, { what: "some changes to be answered" });
      await server.stop("SIGKILL");
      const answeredBeforeCrash = changes.filter((c) => c.settled).length;
      server = await startServer({ env, ports });
      await Promise.all(changes.map((c) => c.done));
      assert.ok(answeredBeforeCrash < changes.length, "the crash came in the middle of the burst");
      for (const change of changes) {
        assert.equal(change.settled, 1);
        assert.equal(change.error, undefined, `change failed: ${change.error?.code} ${change.error?.message}`);
      }
      await live(client);
      const snapshot = await serverSnapshot(server.wsUrl);
      await waitFor(() => client.sequenceNumber === snapshot.sequenceNumber, { what: "the client to reach the server's sequence" });
      assert.deepEqual(sortedRows(client.rows), snapshot.rows);
      assert.equal(snapshot.rows.length, 240);
      for (const row of snapshot.rows) {
        assert.equal(row.version, row.id.startsWith("keep-") ? 2 : 1, `row ${row.id} was changed exactly once`);
      }
    } finally {
      await server.stop();
    }
  });

  test("a restart that loses the numbering (memory store): the client takes the new epoch's snapshot", async () => {
    let server = await startServer();
    const ports = server.ports;
    try {
      const client = await live(connect(server.wsUrl));
      await client.create({ id: "forgotten", name: "Forgotten" });
      const oldEpoch = client.epoch;
      await server.stop("SIGTERM");
      server = await startServer({ ports });
      await waitFor(() => client.epoch !== oldEpoch && client.status === "live", { what: "the new epoch" });
      assert.equal(client.rows.size, 0);
      assert.equal(client.sequenceNumber, 0);
      const event = await client.create({ id: "fresh", name: "Fresh" });
      assert.equal(event.sequenceNumber, 1);
      assert.deepEqual([...client.rows.keys()], ["fresh"]);
    } finally {
      await server.stop();
    }
  });
});

describe("close()", () => {
  test("leaves no socket or timer behind: a Node process that closed its client exits by itself", async () => {
    const server = await startServer();
    try {
      const module = new URL("../js/staff-sync.js", import.meta.url).href;
      const script = `
        import WebSocket from "ws";
        import { StaffSyncClient } from ${JSON.stringify(module)};
        const client = new StaffSyncClient({ url: process.argv[1], WebSocket, heartbeatMs: 200 });
        await client.whenLive();
        await client.create({ name: "From A Child" });
        client.close();
        console.log("closed " + client.status);
      `;
      const child = spawn(process.execPath, ["--input-type=module", "-e", script, server.wsUrl], {
        cwd: path.dirname(fileURLToPath(import.meta.url)),
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      child.stdout.on("data", (d) => { output += d; });
      child.stderr.on("data", (d) => { output += d; });
      const code = await new Promise((resolve) => {
        const timer = setTimeout(() => { child.kill("SIGKILL"); resolve("still running after 15 s"); }, 15_000);
        child.on("exit", (exitCode) => { clearTimeout(timer); resolve(exitCode); });
      });
      assert.equal(code, 0, output);
      assert.match(output, /closed closed/);
    } finally {
      await server.stop();
    }
  });
});
