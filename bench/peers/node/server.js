// Node `ws` peer for the benchmark, in the raw broadcast form of the ws README: every text
// message from any client is sent to every open client, the sender included. No validation,
// no store, no sequence numbers, no slow-consumer bound (ws buffers without limit).
'use strict';
const { WebSocketServer, WebSocket } = require('ws');

const port = Number(process.env.PORT || 8090);
const host = process.env.HOST || '127.0.0.1';
const wss = new WebSocketServer({ host, port, path: '/staff-sync', maxPayload: 65536, perMessageDeflate: false });

wss.on('connection', (ws) => {
  ws.on('error', () => {});
  ws.on('message', (data, isBinary) => {
    wss.clients.forEach((client) => {
      if (client.readyState === WebSocket.OPEN) {
        client.send(data, { binary: isBinary });
      }
    });
  });
});
wss.on('listening', () => console.log(`node ws peer listening on ${host}:${port}`));
