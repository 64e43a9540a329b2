// The server's own view, read over a plain WebSocket (no client code involved): what every
// client must end up equal to.
import WebSocket from "ws";

/** Every row the server holds, and its sequence number, from a fresh connection's snapshot. */
export function serverSnapshot(wsUrl) {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(wsUrl);
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error("no snapshot within 10 s"));
    }, 10_000);
    socket.on("error", reject);
    socket.on("message", (data) => {
      const message = JSON.parse(data.toString());
      if (message.type === "CONNECTION_ACK") {
        socket.send(JSON.stringify({ type: "SYNC_REQUEST", payload: {}, clientId: "test-observer" }));
      } else if (message.type === "SYNC_RESPONSE" && Array.isArray(message.payload.staff)) {
        clearTimeout(timer);
        socket.close();
        resolve({ rows: message.payload.staff, sequenceNumber: message.payload.sequenceNumber });
      }
    });
  });
}

/** The client's rows as a list sorted by id, to compare with a snapshot. */
export function sortedRows(map) {
  return [...map.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
