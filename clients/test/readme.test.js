// The README's client example runs as written (only its import path, the URL and, for Node 20,
// the WebSocket class are filled in), against the real jar.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { startServer } from "./support/server.js";

const README = new URL("../../README.md", import.meta.url);
const MODULE = new URL("../js/staff-sync.js", import.meta.url).href;

async function example() {
  const text = await readFile(README, "utf8");
  const block = /<!-- client example[^>]*-->\s*```js\n([\s\S]*?)```/.exec(text);
  assert.ok(block, "README.md has a marked client example");
  return block[1];
}

test("the README's client example runs and prints what its comments say", async () => {
  const code = await example();
  assert.ok(code.split("\n").filter((line) => line.trim()).length <= 16, "the example stays short");
  const server = await startServer();
  try {
    const runnable = "import WebSocket from \"ws\"; globalThis.WebSocket = WebSocket;\n" + code
      .replace("\"./staff-sync.js\"", JSON.stringify(MODULE))
      .replace("ws://localhost:8080/staff-sync", server.wsUrl);
    const child = spawn(process.execPath, ["--input-type=module", "-e", runnable], {
      cwd: fileURLToPath(new URL(".", import.meta.url)),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => { output += d; });
    child.stderr.on("data", (d) => { output += d; });
    const exitCode = await new Promise((resolve) => {
      const timer = setTimeout(() => { child.kill("SIGKILL"); resolve("still running after 20 s"); }, 20_000);
      child.on("exit", (status) => { clearTimeout(timer); resolve(status); });
    });
    assert.equal(exitCode, 0, output);
    const lines = output.trim().split("\n");
    assert.ok(lines.includes("live"), output);
    assert.ok(lines.some((line) => /^create \S+ 1$/.test(line)), output);
    assert.ok(lines.some((line) => /^update \S+ 2$/.test(line)), output);
    assert.ok(lines.indexOf("live") < lines.indexOf("VERSION_CONFLICT 2"), output);
    assert.equal(lines.at(-2), "ICU", output);
    assert.equal(lines.at(-1), "closed", output);
  } finally {
    await server.stop();
  }
});
