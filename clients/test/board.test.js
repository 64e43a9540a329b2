// The live board in a real headless Chromium (Debian's chromium, driven by playwright-core):
// two pages on one server, as two managers would have them.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { startServer } from "./support/server.js";
import { serverSnapshot } from "./support/wire.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "../..");
const SCREENSHOT = path.resolve(repo, process.env.BUILD_DIR ?? "build", "board.png");
const CHROMIUM = [process.env.CHROMIUM, "/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => p && existsSync(p));

describe("the live board in Chromium", () => {
  let server;
  let dataDir;
  let browser;
  let pageA;
  let pageB;
  const outsideRequests = [];
  const pageErrors = [];

  before(async () => {
    assert.ok(CHROMIUM, "Chromium is needed (apt-get install -y chromium; clients/run-tests.sh installs it), or set CHROMIUM");
    dataDir = await mkdtemp(path.join(os.tmpdir(), "staff-sync-board-"));
    server = await startServer({ env: { STORE: "file", DATA_DIR: dataDir } });
    // --no-sandbox: the tests run as root, where Chromium's sandbox cannot start.
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    const context = await browser.newContext({ viewport: { width: 1180, height: 860 } });
    const allowed = new Set([new URL(server.httpUrl).host, `127.0.0.1:${server.ports.websocket}`]);
    for (const name of ["A", "B"]) {
      const page = await context.newPage();
      page.on("request", (request) => {
        const url = new URL(request.url());
        if (url.protocol !== "data:" && !allowed.has(url.host)) outsideRequests.push(request.url());
      });
      page.on("websocket", (socket) => {
        if (!allowed.has(new URL(socket.url()).host)) outsideRequests.push(socket.url());
      });
      page.on("pageerror", (error) => pageErrors.push(`${name}: ${error.message}`));
      page.on("console", (message) => {
        if (message.type() === "error" && /Content Security Policy|Refused to/i.test(message.text())) {
          pageErrors.push(`${name}: ${message.text()}`);
        }
      });
      await page.goto(`${server.httpUrl}/`);
      if (name === "A") pageA = page; else pageB = page;
    }
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const status = (page) => page.getByTestId("status");
  const row = (page, id) => page.locator(`tr[data-row-id="${id}"]`);
  const rowIds = (page) => page.locator("tr[data-row-id]").evaluateAll((rows) => rows.map((r) => r.dataset.rowId).sort());

  async function addThroughForm(page, { name, position = "", department = "", type = "regular", period = 0 }) {
    const form = page.getByTestId("add-form");
    await form.locator("input[name=name]").fill(name);
    await form.locator("input[name=position]").fill(position);
    await form.locator("input[name=department]").fill(department);
    await form.locator("input[name=type]").fill(type);
    await form.locator("input[name=period]").fill(String(period));
    await form.getByRole("button", { name: "Add" }).click();
  }

  async function idOf(page, name) {
    const tr = page.locator("tr[data-row-id]", { hasText: name });
    await tr.waitFor();
    return tr.getAttribute("data-row-id");
  }

  test("both pages go live and expose their client as window.staffSync", async () => {
    for (const page of [pageA, pageB]) {
      await status(page).filter({ hasText: /^live$/ }).waitFor();
      assert.equal(await page.evaluate(() => window.staffSync.status), "live");
      assert.equal(await page.evaluate(() => typeof window.staffSync.create), "function");
    }
  });

  test("each tab has its own clientId; a reload keeps it and its sequence numbers keep rising", async () => {
    const clientIdOf = (page) => page.evaluate(() => window.staffSync.clientId);
    assert.notEqual(await clientIdOf(pageA), await clientIdOf(pageB));
    const first = await pageA.evaluate(async () => {
      const event = await window.staffSync.create({ name: "Reload Check" });
      return { clientId: window.staffSync.clientId, sequence: event.inReplyTo, id: event.payload.id };
    });
    await pageA.reload();
    await status(pageA).filter({ hasText: /^live$/ }).waitFor();
    const second = await pageA.evaluate(async (id) => {
      const event = await window.staffSync.remove(id);
      return { clientId: window.staffSync.clientId, sequence: event.inReplyTo };
    }, first.id);
    assert.equal(second.clientId, first.clientId);
    assert.ok(second.sequence > first.sequence, `${second.sequence} > ${first.sequence}`);
  });

  test("a row added in one page appears in the other", async () => {
    await addThroughForm(pageA, { name: "Ada Lovelace", position: "Charge Nurse", department: "ICU", period: 0 });
    const id = await idOf(pageA, "Ada Lovelace");
    await row(pageB, id).waitFor();
    assert.match(await row(pageB, id).innerText(), /Ada Lovelace\s+Charge Nurse\s+ICU\s+regular\s+v1/);
    const sequence = await pageA.getByTestId("sequence").innerText();
    assert.equal(await pageB.getByTestId("sequence").innerText(), sequence);
  });

  test("an edit made on a stale version shows the conflict, with the current row and a way to retry on it", async () => {
    const id = await idOf(pageA, "Ada Lovelace");
    // A starts editing version 1 ...
    await row(pageA, id).getByRole("button", { name: "Edit" }).click();
    await row(pageA, id).locator("input[name=department]").fill("Cardiology");
    // ... while B saves version 2.
    await row(pageB, id).getByRole("button", { name: "Edit" }).click();
    await row(pageB, id).locator("input[name=position]").fill("Ward Manager");
    await row(pageB, id).getByRole("button", { name: "Save" }).click();
    await row(pageB, id).filter({ hasText: "v2" }).waitFor();
    await row(pageA, id).locator(".note", { hasText: "changed meanwhile: now version 2" }).waitFor();
    await row(pageA, id).getByRole("button", { name: "Save" }).click();
    const conflict = pageA.locator(`tr[data-conflict-for="${id}"]`);
    await conflict.waitFor();
    assert.match(await conflict.innerText(), /Version conflict: someone saved version 2 first/);
    assert.match(await conflict.innerText(), /department "Cardiology"/);
    assert.match(await row(pageA, id).innerText(), /Ward Manager\s+ICU\s+regular\s+v2/, "the current row is shown");
    await mkdir(path.dirname(SCREENSHOT), { recursive: true });
    await pageA.screenshot({ path: SCREENSHOT.replace(/\.png$/, "-conflict.png") });
    await conflict.getByRole("button", { name: "Apply mine to version 2" }).click();
    await row(pageA, id).filter({ hasText: "v3" }).waitFor();
    await row(pageB, id).filter({ hasText: "v3" }).waitFor();
    assert.match(await row(pageB, id).innerText(), /Ward Manager\s+Cardiology\s+regular\s+v3/);
    assert.equal(await conflict.count(), 0);
  });

  test("after a server restart both pages return to live with the same rows", async () => {
    for (const [name, position, department, period] of [
      ["Grace Hopper", "Nurse", "Emergency", 0], ["Alan Turing", "Porter", "Surgery", 0],
      ["Mary Seacole", "Senior Nurse", "Emergency", 1], ["Florence Nightingale", "Matron", "Wards", 1],
      ["Edith Cavell", "Nurse", "Paediatrics", 2],
    ]) {
      await pageB.evaluate((staff) => window.staffSync.create(staff), { name, position, department, period });
    }
    const ports = server.ports;
    await server.stop("SIGTERM");
    await status(pageA).filter({ hasText: /^(reconnecting|connecting)$/ }).waitFor();
    // A change made while the server is down waits in the page and is sent after the restart.
    const grace = await idOf(pageA, "Grace Hopper");
    const waiting = pageA.evaluate((id) => window.staffSync.update(id, { department: "Night Shift" }).then((e) => e.payload.version), grace);
    server = await startServer({ env: { STORE: "file", DATA_DIR: dataDir }, ports });
    for (const page of [pageA, pageB]) await status(page).filter({ hasText: /^live$/ }).waitFor({ timeout: 30_000 });
    assert.equal(await waiting, 2);
    const snapshot = await serverSnapshot(server.wsUrl);
    const expected = snapshot.rows.map((r) => r.id).sort();
    assert.equal(expected.length, 6); // Ada and the five above (the reload check's row was deleted)
    for (const page of [pageA, pageB]) {
      await page.waitForFunction((n) => String(window.staffSync.sequenceNumber) === n, String(snapshot.sequenceNumber));
      await page.getByTestId("sequence").filter({ hasText: String(snapshot.sequenceNumber) }).waitFor();
      assert.deepEqual(await rowIds(page), expected);
      assert.deepEqual(await page.evaluate(() => [...window.staffSync.rows.values()].sort((a, b) => (a.id < b.id ? -1 : 1))), snapshot.rows);
    }
    await row(pageB, grace).filter({ hasText: "Night Shift" }).waitFor();
  });

  test("the page made no request to any other host and broke no policy; a screenshot is saved", async () => {
    assert.deepEqual(outsideRequests, []);
    assert.deepEqual(pageErrors, []);
    await mkdir(path.dirname(SCREENSHOT), { recursive: true });
    await pageA.screenshot({ path: SCREENSHOT, fullPage: true });
    assert.ok(existsSync(SCREENSHOT));
  });
});
