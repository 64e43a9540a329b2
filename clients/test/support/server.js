// The real server for the JavaScript tests: build/staff-sync.jar as a child process on free
// loopback ports, found from its log line "bound ports websocket=N http=M".
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "../../..");
export const JAR = process.env.STAFF_SYNC_JAR
  ? path.resolve(repo, process.env.STAFF_SYNC_JAR)
  : path.join(repo, "build", "staff-sync.jar");
const JAVA = process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, "bin", "java") : "java";

const running = new Set();
process.on("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/**
 * Starts the server. `env` adds variables (STORE=memory unless given); `ports` reuses the ports
 * of an earlier run (a restart): {websocket, http}.
 */
export async function startServer({ env = {}, ports } = {}) {
  const childEnv = { ...process.env };
  for (const key of Object.keys(childEnv)) {
    if (key.startsWith("SUPABASE_") || key === "STORE" || key === "DATA_DIR") delete childEnv[key];
  }
  Object.assign(childEnv, {
    HOST: "127.0.0.1",
    PORT: String(ports?.websocket ?? 0),
    HTTP_PORT: String(ports?.http ?? 0),
    STORE: "memory",
    ...env,
  });
  const child = spawn(JAVA, ["-Xmx256m", "-jar", JAR], { env: childEnv, stdio: ["ignore", "pipe", "pipe"] });
  running.add(child);
  const log = [];
  let exited = null;
  const exit = new Promise((resolve) => child.on("exit", (code, signal) => {
    running.delete(child);
    exited = { code, signal };
    resolve(exited);
  }));
  const bound = new Promise((resolve, reject) => {
    let buffer = "";
    const read = (chunk) => {
      buffer += chunk.toString("utf8");
      let newline;
      while ((newline = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        log.push(line);
        if (process.env.STAFFSYNC_TEST_ECHO_LOG) console.log(`[server] ${line}`);
        const match = /bound ports websocket=(\d+) http=(\d+)/.exec(line);
        if (match) resolve({ websocket: Number(match[1]), http: Number(match[2]) });
      }
    };
    child.stdout.on("data", read);
    child.stderr.on("data", read);
    exit.then(({ code, signal }) => reject(new Error(`server exited (${code ?? signal}) before binding:\n${log.join("\n")}`)));
    setTimeout(() => reject(new Error(`server did not bind within 30 s:\n${log.join("\n")}`)), 30_000).unref();
  });
  let boundPorts;
  try {
    boundPorts = await bound;
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
  return {
    ports: boundPorts,
    wsUrl: `ws://127.0.0.1:${boundPorts.websocket}/staff-sync`,
    httpUrl: `http://127.0.0.1:${boundPorts.http}`,
    log,
    /** SIGTERM (a graceful stop) or SIGKILL (a crash); resolves when the process has ended. */
    async stop(signal = "SIGTERM") {
      if (!exited) child.kill(signal);
      return exit;
    },
    async health() {
      const response = await fetch(`http://127.0.0.1:${boundPorts.http}/health`);
      return response.json();
    },
  };
}
