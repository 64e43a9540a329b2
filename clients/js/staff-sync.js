// staff-sync's JavaScript client: one ES module, no dependencies, for browsers and Node 20+.
//
// It keeps a copy of the staff list in step with the server (PROTOCOL.md, version 1) and makes
// the protocol's promises real for the code that uses it:
//   - gap-free order: events are applied strictly in `sequenceNumber` order; a gap triggers a
//     resync, never a silently different list;
//   - resume: after a lost connection it reconnects (for ever, exponential backoff with full
//     jitter, capped) and asks only for what it missed (`sinceSequence` + `epoch`), or takes the
//     snapshot the server sends instead;
//   - exactly once: every change keeps its (clientId, sequenceNumber) and is resent with them
//     until the server answers, so the server's retry table answers a change it already applied
//     instead of applying it twice;
//   - no silent overwrite: updates and deletes carry the version this client holds; a
//     VERSION_CONFLICT rejects the promise with the current row, already applied to `rows`.
//
// Usage: see docs/client.md and staff-sync.d.ts.

/** The wire protocol version this client speaks. */
export const PROTOCOL_VERSION = 1;

const DEFAULTS = Object.freeze({
  backoffBaseMs: 250, // first reconnect waits up to this; doubles per failed attempt
  backoffCapMs: 30_000, // ... up to this (full jitter: a random wait between 0 and the bound)
  connectTimeoutMs: 10_000, // a connection without CONNECTION_ACK by then is dropped and retried
  heartbeatMs: 25_000, // silence this long: send PING; no answer within as long again: reconnect
  maxInFlight: 256, // changes sent and not yet answered (the server allows 1000 per connection)
  rateLimitRetries: 5, // RATE_LIMITED answers are retried this many times before the promise fails
});

const CHANGE_TYPES = new Set(["STAFF_CREATE", "STAFF_UPDATE", "STAFF_DELETE"]);
const OPEN = 1; // WebSocket.OPEN, the same in browsers and the `ws` package

/** Every failure this client reports: a server ERROR, or one of its own (code CLOSED, ...). */
export class StaffSyncError extends Error {
  constructor(code, message, { staffId, current, inReplyTo } = {}) {
    super(message);
    this.name = "StaffSyncError";
    this.code = code;
    if (staffId !== undefined) this.staffId = staffId;
    if (current !== undefined) this.current = current;
    if (inReplyTo !== undefined) this.inReplyTo = inReplyTo;
  }
}

/**
 * The id this browser tab uses as `clientId`: made once per tab and kept in sessionStorage, so a
 * reload keeps it; a fresh random id where there is no sessionStorage (Node, private modes).
 */
export function tabClientId() {
  const storage = sessionStore();
  const key = "staff-sync.clientId";
  let id = safely(() => storage?.getItem(key));
  if (!id) {
    id = `tab-${randomId()}`;
    safely(() => storage?.setItem(key, id));
  }
  return id;
}

export class StaffSyncClient {
  // ---- options ----
  #url;
  #token;
  #WebSocket;
  #options;
  #nextSequence;

  // ---- what the server said (all state lives on the one JavaScript thread) ----
  #rows = new Map(); // id -> row, as of event #position
  #epoch = null; // the numbering #position belongs to
  #position = 0; // the last event applied (the server's sequenceNumber)
  #status = "connecting";

  // ---- the current connection ----
  #socket = null;
  #phase = "idle"; // idle | opening | authenticating | syncing | live
  #serverEpoch = null; // from this connection's CONNECTION_ACK
  #syncRequest = null; // sequenceNumber of the outstanding SYNC_REQUEST
  #held = []; // events that arrived while syncing, applied once the sync answer is in
  #lastHeard = 0;
  #pingSentAt = 0;
  #attempts = 0; // connection attempts since the last time the client was live

  // ---- changes waiting for the server's answer, by their sequenceNumber (in sending order) ----
  #pending = new Map();

  #listeners = new Map(); // event name -> Set of functions
  #timers = new Set(); // every timer this client has running, so close() can stop them all
  #reconnectTimer = null;
  #watchdogTimer = null;
  #authTimer = null;

  /**
   * @param {object} options
   * @param {string} options.url  ws:// or wss:// URL of the server's /staff-sync endpoint
   * @param {() => Promise<string>} [options.token]  returns the current access token (AUTH)
   * @param {string} [options.clientId]  defaults to tabClientId()
   * @param {typeof WebSocket} [options.WebSocket]  defaults to the global WebSocket
   */
  constructor({ url, token, clientId, WebSocket: socketClass, ...tuning } = {}) {
    if (typeof url !== "string" || !/^wss?:\/\//i.test(url)) {
      throw new TypeError("StaffSyncClient: options.url must be a ws:// or wss:// URL");
    }
    if (token !== undefined && typeof token !== "function") {
      throw new TypeError("StaffSyncClient: options.token must be a function returning the access token");
    }
    this.#WebSocket = socketClass ?? globalThis.WebSocket;
    if (typeof this.#WebSocket !== "function") {
      throw new TypeError("StaffSyncClient: no WebSocket implementation; pass options.WebSocket (in Node: the `ws` package)");
    }
    this.#url = url;
    this.#token = token;
    this.#options = { ...DEFAULTS, ...tuning };
    this.clientId = clientId ?? tabClientId();
    if (typeof this.clientId !== "string" || this.clientId.length < 1 || this.clientId.length > 128) {
      throw new TypeError("StaffSyncClient: options.clientId must be a string of 1 to 128 characters");
    }
    this.#nextSequence = sequenceSource(this.clientId);
    this.#connect();
  }

  // ---- state ----

  /** Every row by id, as of `sequenceNumber`. Read it; change rows only through create/update/remove. */
  get rows() {
    return this.#rows;
  }

  /** `connecting` (never synced yet), `live` (in step with the server), `reconnecting`, `closed`. */
  get status() {
    return this.#status;
  }

  get epoch() {
    return this.#epoch;
  }

  /** The number of the last server event reflected in `rows`. */
  get sequenceNumber() {
    return this.#position;
  }

  /** Changes sent or waiting to be sent that the server has not answered yet. */
  get pendingCount() {
    return this.#pending.size;
  }

  /** Connection attempts since the client was last live (0 while live). */
  get reconnectAttempts() {
    return this.#attempts;
  }

  // ---- events: change, status, error ----

  /** Calls `listener` for each `type` event; returns a function that removes it. */
  on(type, listener) {
    if (!this.#listeners.has(type)) this.#listeners.set(type, new Set());
    this.#listeners.get(type).add(listener);
    return () => this.off(type, listener);
  }

  off(type, listener) {
    this.#listeners.get(type)?.delete(listener);
  }

  /** Resolves when the client is live (at once if it is); rejects if it is closed first. */
  whenLive() {
    if (this.#status === "live") return Promise.resolve();
    if (this.#status === "closed") return Promise.reject(closedError());
    return new Promise((resolve, reject) => {
      const stop = this.on("status", (status) => {
        if (status === "live" || status === "closed") {
          stop();
          status === "live" ? resolve() : reject(closedError());
        }
      });
    });
  }

  // ---- changes ----

  /** Creates a row. An id is made here when the row has none, so a resend can never make two. */
  create(row) {
    if (row === null || typeof row !== "object" || Array.isArray(row)) {
      return Promise.reject(new TypeError("create(row): row must be an object"));
    }
    const staff = { ...row, id: row.id ?? randomUuid() };
    return this.#submit("STAFF_CREATE", staff.id, { staff });
  }

  /** Changes fields of a row, on the version this client holds (or `options.version`). */
  update(id, changes, options = {}) {
    if (changes === null || typeof changes !== "object" || Array.isArray(changes)) {
      return Promise.reject(new TypeError("update(id, changes): changes must be an object"));
    }
    const version = this.#versionFor(id, options);
    if (version instanceof Error) return Promise.reject(version);
    return this.#submit("STAFF_UPDATE", id, { staffId: id, changes, version });
  }

  /** Deletes a row, on the version this client holds (or `options.version`). */
  remove(id, options = {}) {
    const version = this.#versionFor(id, options);
    if (version instanceof Error) return Promise.reject(version);
    return this.#submit("STAFF_DELETE", id, { staffId: id, version });
  }

  /** Connects now instead of waiting out the backoff; rows and unanswered changes are kept. */
  reconnect() {
    if (this.#status === "closed") return;
    this.#attempts = 0;
    this.#dropConnection();
    this.#setStatus(this.#epoch === null ? "connecting" : "reconnecting");
    this.#connect();
  }

  /** Stops for good: closes the socket, stops every timer, fails every unanswered change with CLOSED. */
  close() {
    if (this.#status === "closed") return;
    this.#dropConnection();
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    const unanswered = [...this.#pending.values()];
    this.#pending.clear();
    for (const change of unanswered) {
      change.reject(new StaffSyncError("CLOSED",
        "the client was closed before the server answered; the change may or may not have been applied",
        { staffId: change.staffId, inReplyTo: change.sequence }));
    }
    this.#setStatus("closed");
    this.#listeners.clear();
  }

  #versionFor(id, options) {
    if (typeof id !== "string" || id === "") return new TypeError("the row id must be a non-empty string");
    if (options.version !== undefined) return options.version;
    const row = this.#rows.get(id);
    if (!row) {
      return new StaffSyncError("NOT_FOUND", `row ${id} is not in this client's list (wait for status "live", or pass {version})`, { staffId: id });
    }
    return row.version;
  }

  #submit(type, staffId, payload) {
    if (this.#status === "closed") return Promise.reject(closedError());
    const sequence = this.#nextSequence();
    // The exact text is kept: a resend must be the same message (PROTOCOL.md, retries).
    const text = JSON.stringify({ type, payload, timestamp: new Date().toISOString(), clientId: this.clientId, sequenceNumber: sequence });
    return new Promise((resolve, reject) => {
      this.#pending.set(sequence, { sequence, type, staffId, text, resolve, reject, sentOn: null, rateLimited: 0, waitUntil: 0 });
      this.#sendPending();
    });
  }

  /** Sends what is unsent on this connection, in order, keeping at most maxInFlight unanswered. */
  #sendPending() {
    if (this.#phase !== "live") return;
    let inFlight = 0;
    for (const change of this.#pending.values()) {
      if (change.sentOn === this.#socket) inFlight++;
    }
    const now = Date.now();
    for (const change of this.#pending.values()) {
      if (inFlight >= this.#options.maxInFlight) break;
      if (change.sentOn === this.#socket || change.waitUntil > now) continue;
      if (!this.#send(change.text)) return;
      change.sentOn = this.#socket;
      inFlight++;
    }
  }

  // ---- the connection ----

  #connect() {
    this.#reconnectTimer = this.#clear(this.#reconnectTimer);
    this.#attempts++;
    let socket;
    try {
      socket = new this.#WebSocket(this.#url);
    } catch (error) {
      this.#emit("error", new StaffSyncError("CONNECT_FAILED", `cannot open ${this.#url}: ${error.message}`));
      this.#scheduleReconnect();
      return;
    }
    this.#socket = socket;
    this.#phase = "opening";
    socket.onmessage = (event) => socket === this.#socket && this.#receive(event.data);
    socket.onclose = (event) => socket === this.#socket && this.#connectionLost(`connection closed (${event.code}${event.reason ? ` ${event.reason}` : ""})`);
    socket.onerror = () => {}; // a close event follows; it says more
    this.#lastHeard = Date.now();
    this.#pingSentAt = 0;
    this.#watchdogTimer = this.#clear(this.#watchdogTimer);
    this.#watchdogTimer = this.#every(Math.min(this.#options.connectTimeoutMs, this.#options.heartbeatMs) / 2, () => this.#watchdog());
  }

  /** Notices a connection that went quiet: no ack in time, or no answer to a PING. */
  #watchdog() {
    const now = Date.now();
    if (this.#phase === "opening") {
      if (now - this.#lastHeard >= this.#options.connectTimeoutMs) this.#connectionLost("no CONNECTION_ACK in time");
      return;
    }
    if (this.#pingSentAt && now - this.#pingSentAt >= this.#options.heartbeatMs) {
      this.#connectionLost("no answer to PING");
    } else if (!this.#pingSentAt && now - this.#lastHeard >= this.#options.heartbeatMs) {
      this.#pingSentAt = now;
      this.#send(JSON.stringify({ type: "PING", payload: { at: now }, clientId: this.clientId }));
    }
  }

  #connectionLost(reason) {
    if (this.#status === "closed") return;
    this.#dropConnection();
    this.#emit("error", new StaffSyncError("CONNECTION_LOST", reason));
    this.#setStatus(this.#epoch === null ? "connecting" : "reconnecting");
    this.#scheduleReconnect();
  }

  #scheduleReconnect() {
    const bound = Math.min(this.#options.backoffCapMs, this.#options.backoffBaseMs * 2 ** Math.min(this.#attempts, 30));
    const wait = Math.random() * bound; // full jitter: clients dropped together do not return together
    this.#reconnectTimer = this.#clear(this.#reconnectTimer);
    this.#reconnectTimer = this.#after(wait, () => this.#connect());
  }

  /** Forgets the current socket (its late events are ignored) and closes it. */
  #dropConnection() {
    const socket = this.#socket;
    this.#socket = null;
    this.#phase = "idle";
    this.#held = [];
    this.#syncRequest = null;
    this.#watchdogTimer = this.#clear(this.#watchdogTimer);
    this.#authTimer = this.#clear(this.#authTimer);
    this.#reconnectTimer = this.#clear(this.#reconnectTimer);
    if (socket) {
      socket.onmessage = socket.onclose = null;
      safely(() => socket.close(1000, "client closing"));
    }
  }

  #send(text) {
    const socket = this.#socket;
    if (!socket || socket.readyState !== OPEN) return false;
    try {
      socket.send(text);
      return true;
    } catch (error) {
      this.#connectionLost(`send failed: ${error.message}`);
      return false;
    }
  }

  // ---- what the server sends ----

  #receive(data) {
    this.#lastHeard = Date.now();
    this.#pingSentAt = 0;
    let message;
    try {
      message = JSON.parse(typeof data === "string" ? data : new TextDecoder().decode(data));
    } catch {
      this.#emit("error", new StaffSyncError("INVALID_MESSAGE", "the server sent a message that is not JSON"));
      return;
    }
    if (message === null || typeof message !== "object" || typeof message.type !== "string") return;
    const payload = message.payload ?? {};
    switch (message.type) {
      case "CONNECTION_ACK": return this.#onAck(payload);
      case "AUTH_OK": return this.#onAuthOk(payload);
      case "SYNC_RESPONSE": return this.#onSyncResponse(message, payload);
      case "ERROR": return this.#onError(message, payload);
      default:
        if (CHANGE_TYPES.has(message.type)) this.#onEvent(message);
        // PONG and everything else (other apps' messages on a shared server) need nothing.
    }
  }

  #onAck(payload) {
    if (this.#phase !== "opening") return;
    this.#serverEpoch = payload.epoch;
    if (!this.#token) {
      this.#startSync();
      return;
    }
    this.#phase = "authenticating";
    this.#sendToken();
  }

  async #sendToken() {
    const socket = this.#socket;
    let token;
    try {
      token = await this.#token();
    } catch (error) {
      if (socket !== this.#socket) return;
      this.#emit("error", new StaffSyncError("UNAUTHORIZED", `the token function failed: ${error?.message ?? error}`));
      this.#connectionLost("no access token");
      return;
    }
    if (socket !== this.#socket) return;
    if (typeof token !== "string" || token === "") {
      this.#connectionLost("the token function returned no token");
      return;
    }
    this.#send(JSON.stringify({ type: "AUTH", payload: { token }, clientId: this.clientId }));
  }

  #onAuthOk(payload) {
    // Refresh before the token expires (the server closes a connection whose token ran out).
    const expiresAt = typeof payload.expiresAt === "number"
      ? payload.expiresAt * (payload.expiresAt < 1e12 ? 1000 : 1)
      : Date.parse(payload.expiresAt);
    this.#authTimer = this.#clear(this.#authTimer);
    if (Number.isFinite(expiresAt)) {
      const left = expiresAt - Date.now();
      const wait = Math.max(1_000, left - Math.min(60_000, left / 5));
      this.#authTimer = this.#after(wait, () => this.#sendToken());
    }
    if (this.#phase === "authenticating") this.#startSync();
  }

  /** Asks for what this client is missing: the events since its position, or a snapshot. */
  #startSync() {
    this.#phase = "syncing";
    this.#held = [];
    this.#syncRequest = this.#nextSequence();
    const resume = this.#epoch !== null && this.#epoch === this.#serverEpoch;
    const payload = resume ? { sinceSequence: this.#position, epoch: this.#epoch } : {};
    this.#send(JSON.stringify({ type: "SYNC_REQUEST", payload, timestamp: new Date().toISOString(), clientId: this.clientId, sequenceNumber: this.#syncRequest }));
  }

  #onSyncResponse(message, payload) {
    if (payload.period !== undefined && payload.period !== null) return; // one period: not asked for by this client
    if (this.#phase !== "syncing" && this.#phase !== "live") return; // not ready for data (still authenticating)
    if (Array.isArray(payload.staff)) {
      // A snapshot (asked for, or sent unasked when the server's store loaded late): it replaces everything.
      // The same Map object is refilled, so a reference to `rows` stays current.
      this.#rows.clear();
      for (const row of payload.staff) this.#rows.set(row.id, row);
      this.#epoch = this.#serverEpoch;
      this.#position = payload.sequenceNumber;
      this.#emit("change", { kind: "snapshot", sequenceNumber: this.#position, rows: this.#rows });
    } else if (message.inReplyTo !== this.#syncRequest) {
      return; // the end of a replay this connection did not ask for (a stale request)
    }
    const held = this.#held;
    this.#held = [];
    this.#syncRequest = null;
    this.#phase = "live";
    for (const event of held.sort((a, b) => a.sequenceNumber - b.sequenceNumber)) {
      if (this.#phase !== "live") {
        this.#held.push(event); // a gap started a new sync: keep the rest for it
      } else {
        this.#onEvent(event);
      }
    }
    if (this.#phase !== "live") return;
    if (typeof payload.sequenceNumber === "number" && this.#position < payload.sequenceNumber) {
      // The server says it is further than what reached us: something is missing. Start over.
      this.#epoch = null;
      this.#startSync();
      return;
    }
    this.#attempts = 0;
    this.#setStatus("live");
    this.#sendPending();
  }

  #onEvent(message) {
    if (this.#phase !== "live") {
      this.#held.push(message);
      return;
    }
    const sequence = message.sequenceNumber;
    if (typeof sequence !== "number") return;
    if (sequence === this.#position + 1) {
      this.#position = sequence;
      this.#apply(message);
    } else if (sequence > this.#position + 1) {
      // A gap: never apply past it. Ask for everything after our position; keep this event.
      this.#startSync();
      this.#held.push(message);
      return;
    }
    // sequence <= position: an event already reflected (a replay overlap, or the original
    // event again as the answer to a resent change). Either way it may answer one of ours.
    this.#settle(message);
  }

  /** Applies one event, only where it is newer than the row held. */
  #apply(message) {
    const payload = message.payload ?? {};
    const id = message.type === "STAFF_CREATE" ? payload.id : payload.staffId;
    const previous = this.#rows.get(id);
    let row;
    if (message.type === "STAFF_DELETE") {
      if (!previous || previous.version > payload.version) return;
      this.#rows.delete(id);
      row = null;
    } else {
      row = message.type === "STAFF_CREATE" ? payload : payload.staff;
      if (!row || (previous && previous.version >= row.version)) return;
      this.#rows.set(id, row);
    }
    const kind = message.type === "STAFF_CREATE" ? "create" : message.type === "STAFF_UPDATE" ? "update" : "delete";
    this.#emit("change", { kind, id, row, previous: previous ?? null, sequenceNumber: message.sequenceNumber, clientId: message.clientId });
  }

  /** Settles the change an event answers, when it is one of ours. */
  #settle(message) {
    if (message.clientId !== this.clientId || typeof message.inReplyTo !== "number") return;
    const change = this.#pending.get(message.inReplyTo);
    if (!change) return;
    this.#pending.delete(message.inReplyTo);
    const payload = message.payload ?? {};
    const answeredId = message.type === "STAFF_CREATE" ? payload.id : payload.staffId;
    if (message.type !== change.type || answeredId !== change.staffId) {
      // The server answered this number with another change: two writers share this clientId.
      change.reject(new StaffSyncError("SEQUENCE_REUSED",
        `sequenceNumber ${change.sequence} was answered with ${message.type} ${answeredId}, not this change: is another client using clientId ${this.clientId}?`,
        { staffId: change.staffId, inReplyTo: change.sequence }));
    } else {
      change.resolve(message);
    }
    this.#sendPending();
  }

  #onError(message, payload) {
    const error = new StaffSyncError(payload.code ?? "INTERNAL", payload.message ?? "the server reported an error", {
      staffId: payload.staffId, current: payload.current, inReplyTo: message.inReplyTo,
    });
    const inReplyTo = message.inReplyTo;
    if (inReplyTo !== undefined && inReplyTo === this.#syncRequest) {
      // The server cannot answer a sync yet (its store is loading): ask again shortly.
      this.#emit("error", error);
      const socket = this.#socket;
      this.#after(1_000, () => socket === this.#socket && this.#phase === "syncing" && this.#startSync());
      return;
    }
    const change = inReplyTo !== undefined ? this.#pending.get(inReplyTo) : undefined;
    if (!change) {
      this.#emit("error", error);
      return;
    }
    if (error.code === "RATE_LIMITED" && change.rateLimited < this.#options.rateLimitRetries) {
      // Not processed: send it again after a pause (the same message, so still exactly once).
      change.rateLimited++;
      change.sentOn = null;
      change.waitUntil = Date.now() + 250 * 2 ** change.rateLimited;
      this.#after(change.waitUntil - Date.now(), () => this.#sendPending());
      return;
    }
    this.#pending.delete(inReplyTo);
    if (error.code === "VERSION_CONFLICT" && payload.current) {
      const held = this.#rows.get(payload.current.id);
      if (!held || held.version < payload.current.version) {
        this.#rows.set(payload.current.id, payload.current);
        this.#emit("change", { kind: "update", id: payload.current.id, row: payload.current, previous: held ?? null, sequenceNumber: this.#position, clientId: "server" });
      }
    }
    change.reject(error);
    this.#sendPending();
  }

  // ---- small helpers ----

  #setStatus(status) {
    if (this.#status === status) return;
    this.#status = status;
    this.#emit("status", status);
  }

  #emit(type, value) {
    for (const listener of [...(this.#listeners.get(type) ?? [])]) {
      try {
        listener(value);
      } catch (error) {
        // A listener's bug must not stop the client; report it without swallowing it.
        queueMicrotask(() => { throw error; });
      }
    }
  }

  #after(ms, action) {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      action();
    }, ms);
    this.#timers.add(timer);
    return timer;
  }

  #every(ms, action) {
    const timer = setInterval(action, ms);
    this.#timers.add(timer);
    return timer;
  }

  #clear(timer) {
    if (timer !== null && timer !== undefined) {
      clearTimeout(timer);
      clearInterval(timer);
      this.#timers.delete(timer);
    }
    return null;
  }
}

function closedError() {
  return new StaffSyncError("CLOSED", "the client is closed");
}

/**
 * The client's own message numbers. They must rise for ever per clientId: the server remembers
 * outcomes by (clientId, sequenceNumber), and a reloaded tab keeps its clientId. So the last number
 * is kept beside the clientId in sessionStorage, and numbers never fall below the clock in
 * microseconds (Date.now() * 1000, below 2^53 until the year 2255): a tab duplicated with its
 * sessionStorage, or a script restarted with a fixed clientId, starts above what it used before.
 */
function sequenceSource(clientId) {
  const storage = sessionStore();
  const key = `staff-sync.lastSequence.${clientId}`;
  let last = 0;
  return () => {
    const stored = Number(safely(() => storage?.getItem(key))) || 0;
    last = Math.max(last + 1, stored + 1, Date.now() * 1000);
    safely(() => storage?.setItem(key, String(last)));
    return last;
  };
}

function sessionStore() {
  return safely(() => globalThis.sessionStorage) ?? null;
}

function safely(action) {
  try {
    return action();
  } catch {
    return undefined; // storage disabled or full, a socket already closed: nothing to do
  }
}

function randomUuid() {
  if (typeof globalThis.crypto?.randomUUID === "function") return globalThis.crypto.randomUUID();
  // crypto.randomUUID exists only in secure contexts (https, localhost): build a v4 UUID by hand.
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function randomId() {
  return randomUuid().replaceAll("-", "").slice(0, 16);
}
