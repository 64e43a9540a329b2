// Type declarations for staff-sync.js, staff-sync's JavaScript client (PROTOCOL.md version 1).

/** A staff row as the server stores it; JSON keys are the database column names. */
export interface StaffRow {
  id: string;
  name: string;
  position: string;
  department: string;
  type: string;
  period: number;
  /** Server-managed: 1 on create, +1 on each update. */
  version: number;
  /** Server-managed ISO-8601 UTC timestamps. */
  created_at: string;
  updated_at: string;
}

/** The fields a client may send on create (id is made by the client when absent). */
export interface NewStaffRow {
  id?: string;
  name: string;
  position?: string;
  department?: string;
  type?: string;
  period?: number;
}

/** The fields a client may change. */
export type StaffChanges = Partial<Omit<NewStaffRow, "id">> & { id?: string };

export type StaffSyncStatus = "connecting" | "live" | "reconnecting" | "closed";

/** A server message (the envelope of PROTOCOL.md). */
export interface ServerEnvelope<P = unknown> {
  type: string;
  payload: P;
  timestamp: string;
  /** The originating client's id for events, else "server". */
  clientId: string;
  /** The server's event number (events), or its position when the message was written. */
  sequenceNumber: number;
  /** The client's sequenceNumber this message answers. */
  inReplyTo?: number;
}

export interface StaffUpdatePayload {
  staffId: string;
  changes: Partial<StaffRow>;
  version: number;
  staff: StaffRow;
}

export interface StaffDeletePayload {
  staffId: string;
  version: number;
}

/** What a `change` event says. `snapshot` replaced every row at once. */
export type StaffChange =
  | { kind: "snapshot"; sequenceNumber: number; rows: ReadonlyMap<string, StaffRow> }
  | {
      kind: "create" | "update";
      id: string;
      row: StaffRow;
      previous: StaffRow | null;
      sequenceNumber: number;
      /** Who made the change ("server" for a conflict's current row). */
      clientId: string;
    }
  | { kind: "delete"; id: string; row: null; previous: StaffRow; sequenceNumber: number; clientId: string };

/**
 * Server error codes (PROTOCOL.md), and the client's own: CLOSED (the client was closed before an
 * answer came), CONNECTION_LOST, CONNECT_FAILED, and SEQUENCE_REUSED when the answer to a change
 * was another change (two writers sharing one clientId).
 */
export type StaffSyncErrorCode =
  | "INVALID_MESSAGE" | "UNKNOWN_TYPE" | "VALIDATION_FAILED" | "NOT_FOUND" | "ALREADY_EXISTS"
  | "VERSION_CONFLICT" | "RATE_LIMITED" | "STORE_UNAVAILABLE" | "UNAUTHORIZED" | "READ_ONLY"
  | "LIMIT_EXCEEDED" | "SEQUENCE_REUSED" | "INTERNAL"
  | "CLOSED" | "CONNECTION_LOST" | "CONNECT_FAILED";

export class StaffSyncError extends Error {
  readonly name: "StaffSyncError";
  readonly code: StaffSyncErrorCode | string;
  readonly staffId?: string;
  /** For VERSION_CONFLICT: the stored row (already applied to `rows`). */
  readonly current?: StaffRow;
  /** The sequenceNumber of the change this error answers. */
  readonly inReplyTo?: number;
}

export interface StaffSyncOptions {
  /** ws:// or wss:// URL of the server's /staff-sync endpoint. */
  url: string;
  /** Returns the current access token; called at connect and before it expires (sent with AUTH). */
  token?: () => string | Promise<string>;
  /** Default: tabClientId(), one random id per browser tab. */
  clientId?: string;
  /** Default: the global WebSocket (in Node 20, pass the `ws` package's). */
  WebSocket?: unknown;
  /** First reconnect waits up to this (ms, default 250); doubles per failed attempt. */
  backoffBaseMs?: number;
  /** Longest reconnect wait bound (ms, default 30000); each wait is random below the bound. */
  backoffCapMs?: number;
  /** A connection without CONNECTION_ACK after this (ms, default 10000) is retried. */
  connectTimeoutMs?: number;
  /** Silence this long sends a PING; no answer within as long again reconnects (ms, default 25000). */
  heartbeatMs?: number;
  /** Changes sent and not yet answered at most (default 256). */
  maxInFlight?: number;
  /** RATE_LIMITED answers retried this many times before the promise fails (default 5). */
  rateLimitRetries?: number;
}

export interface VersionOption {
  /** The version the change is made on; default: the version of the row this client holds. */
  version?: number;
}

export const PROTOCOL_VERSION: 1;

/** The id this browser tab uses (kept in sessionStorage); a new random id where there is none. */
export function tabClientId(): string;

export class StaffSyncClient {
  constructor(options: StaffSyncOptions);

  readonly clientId: string;
  /** Every row by id, as of `sequenceNumber`. The same Map object for the client's whole life. */
  readonly rows: ReadonlyMap<string, StaffRow>;
  readonly status: StaffSyncStatus;
  /** The numbering `sequenceNumber` belongs to (null before the first sync). */
  readonly epoch: string | null;
  /** The last server event reflected in `rows`. */
  readonly sequenceNumber: number;
  /** Changes not answered yet (sent, or waiting for a connection). */
  readonly pendingCount: number;
  /** Connection attempts since the client was last live. */
  readonly reconnectAttempts: number;

  on(type: "change", listener: (change: StaffChange) => void): () => void;
  on(type: "status", listener: (status: StaffSyncStatus) => void): () => void;
  on(type: "error", listener: (error: StaffSyncError) => void): () => void;
  off(type: "change" | "status" | "error", listener: (value: any) => void): void;

  /** Resolves when live (at once if it is); rejects with CLOSED if closed first. */
  whenLive(): Promise<void>;

  /** Resolves with the server's STAFF_CREATE event; rejects with a StaffSyncError. */
  create(row: NewStaffRow): Promise<ServerEnvelope<StaffRow>>;
  /** Resolves with the server's STAFF_UPDATE event; VERSION_CONFLICT carries `current`. */
  update(id: string, changes: StaffChanges, options?: VersionOption): Promise<ServerEnvelope<StaffUpdatePayload>>;
  /** Resolves with the server's STAFF_DELETE event. */
  remove(id: string, options?: VersionOption): Promise<ServerEnvelope<StaffDeletePayload>>;

  /** Connects now instead of waiting out the backoff; rows and unanswered changes are kept. */
  reconnect(): void;
  /** Stops for good: no socket, no timer, no reconnect; unanswered changes reject with CLOSED. */
  close(): void;
}
