// A WebSocket proxy between a client and the server, to make network trouble on purpose:
// drop one message, cut the connection at a chosen moment, hold messages back, or go silent.
// Every message that passes is recorded.
import WebSocket, { WebSocketServer } from "ws";

export async function startProxy(targetUrl) {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise((resolve) => server.once("listening", resolve));
  const proxy = {
    url: `ws://127.0.0.1:${server.address().port}/staff-sync`,
    target: targetUrl,
    connections: 0,
    fromClient: [], // parsed messages the client sent, in order
    fromServer: [], // parsed messages forwarded to the client
    /** Called with each server message: return "drop" (not forwarded), "cut" (dropped, and the connection cut) or "hold". */
    onServerMessage: null,
    /** Called with each client message: return "drop" or "cut". */
    onClientMessage: null,
    frozen: false, // true: nothing passes either way and nothing is closed
    /** true: the server's close code (such as 4001) reaches the client; by default the client's connection is cut. */
    forwardCloseCodes: false,
    held: [],
    pairs: new Set(),
    release() {
      const held = this.held;
      this.held = [];
      for (const { downstream, text } of held) {
        if (downstream.readyState === WebSocket.OPEN) downstream.send(text);
      }
    },
    cutAll() {
      for (const { downstream, upstream } of this.pairs) {
        downstream.terminate();
        upstream.terminate();
      }
    },
    async close() {
      this.cutAll();
      await new Promise((resolve) => server.close(resolve));
    },
  };

  server.on("connection", (downstream) => {
    proxy.connections++;
    const upstream = new WebSocket(proxy.target);
    const pair = { downstream, upstream };
    proxy.pairs.add(pair);
    const early = [];
    const cut = () => {
      proxy.pairs.delete(pair);
      downstream.terminate();
      upstream.terminate();
    };
    upstream.on("open", () => {
      for (const text of early) upstream.send(text);
    });
    upstream.on("message", (data) => {
      if (proxy.frozen) return;
      const text = data.toString();
      const message = JSON.parse(text);
      const verdict = proxy.onServerMessage?.(message);
      if (verdict === "cut") return cut();
      if (verdict === "drop") return;
      if (verdict === "hold") {
        proxy.held.push({ downstream, text });
        return;
      }
      proxy.fromServer.push(message);
      if (downstream.readyState === WebSocket.OPEN) downstream.send(text);
    });
    downstream.on("message", (data) => {
      if (proxy.frozen) return;
      const text = data.toString();
      const message = JSON.parse(text);
      const verdict = proxy.onClientMessage?.(message);
      if (verdict === "cut") return cut();
      if (verdict === "drop") return;
      proxy.fromClient.push(message);
      if (upstream.readyState === WebSocket.OPEN) upstream.send(text);
      else early.push(text);
    });
    upstream.on("close", (code, reason) => {
      proxy.pairs.delete(pair);
      if (proxy.frozen) return;
      // 1005 and 1006 are never sent in a close frame: those connections are cut.
      if (proxy.forwardCloseCodes && code !== 1005 && code !== 1006) downstream.close(code, reason);
      else downstream.terminate();
    });
    upstream.on("error", () => {});
    downstream.on("close", () => {
      proxy.pairs.delete(pair);
      upstream.terminate();
    });
    downstream.on("error", () => {});
  });
  return proxy;
}
