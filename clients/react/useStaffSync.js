// useStaffSync: a drop-in for the original app's useWebSocketStaff hook, built on StaffSyncClient.
//
//   - import { useWebSocketStaff } from "./hooks/useWebSocketStaff";
//   + import { useWebSocketStaff } from "staff-sync/clients/react/useStaffSync.js";
//
// The same arguments (currentMonthIndex, { enabled, prefetchAllPeriods }) and the same returned
// shape (staffMembers, allPeriodsStaff, updateStaff, addStaff, deleteStaff, connectionStatus, ...).
// What changes for the app (docs/client.md): changes are never lost or applied twice, a lost
// connection resumes for ever instead of giving up after three tries, updates and deletes carry
// the version the app saw (a stale one is refused with VERSION_CONFLICT instead of silently
// overwriting), the promises settle with the server's answer, and unmounting stops everything.
import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from "react";
import { StaffSyncClient, tabClientId } from "../js/staff-sync.js";

/** The original hook's address; pass options.url for any other server. */
export const DEFAULT_URL = "ws://localhost:8080/staff-sync";

// The row keys only the server sets: an app that passes a whole row as `changes` must not be
// refused for them (their `version`, when present, is the version the app saw: it is sent as such).
const SERVER_MANAGED = ["version", "created_at", "updated_at"];

const STATUS_NAMES = {
  connecting: "connecting",
  live: "connected",
  reconnecting: "disconnected",
  closed: "disconnected",
};

/**
 * @param {number} currentMonthIndex  the period shown (staffMembers holds its rows)
 * @param {object} [options]
 * @param {boolean} [options.enabled=true]
 * @param {boolean} [options.prefetchAllPeriods=true]  also fill allPeriodsStaff (every period)
 * @param {string} [options.url]  the server's WebSocket URL (default ws://localhost:8080/staff-sync)
 * @param {() => Promise<string>} [options.token]  returns the current access token (AUTH)
 * @param {string} [options.clientId]  default: one id per browser tab
 * @param {typeof WebSocket} [options.WebSocket]  default: the global WebSocket
 */
export function useStaffSync(currentMonthIndex, options = {}) {
  const { enabled = true, prefetchAllPeriods = true, url = DEFAULT_URL, WebSocket, token, clientId, ...tuning } = options;

  const clientIdRef = useRef(null);
  if (clientIdRef.current === null) clientIdRef.current = clientId ?? tabClientId();
  // The token function may be a new closure on every render: read the latest one when needed.
  const tokenRef = useRef(token);
  tokenRef.current = token;
  const hasToken = typeof token === "function";
  const tuningKey = JSON.stringify(tuning);

  const clientRef = useRef(null);
  const [status, setStatus] = useState(enabled ? "connecting" : "disabled");
  const [loaded, setLoaded] = useState(false);
  const [lastError, setLastError] = useState(enabled ? null : "WebSocket disabled via feature flag");
  const [rowsVersion, rowsChanged] = useReducer((n) => n + 1, 0);

  useEffect(() => {
    if (!enabled) {
      setStatus("disabled");
      setLastError("WebSocket disabled via feature flag");
      return undefined;
    }
    const client = new StaffSyncClient({
      url,
      WebSocket,
      clientId: clientIdRef.current,
      token: hasToken ? () => tokenRef.current() : undefined,
      ...JSON.parse(tuningKey),
    });
    clientRef.current = client;
    setLoaded(false); // a new client (another url, say) has loaded nothing yet
    setStatus(client.status);
    setLastError(null);
    const stops = [
      client.on("status", (next) => {
        setStatus(next);
        if (next === "live") {
          setLoaded(true);
          setLastError(null);
        }
      }),
      client.on("change", () => rowsChanged()),
      client.on("error", (error) => setLastError(error.message)),
    ];
    return () => {
      stops.forEach((stop) => stop());
      client.close();
      if (clientRef.current === client) clientRef.current = null;
    };
  }, [enabled, url, WebSocket, hasToken, tuningKey]);

  // Rows grouped by period, in the order the client holds them (snapshot order, then new rows).
  const allRows = useMemo(() => {
    const byPeriod = {};
    for (const row of clientRef.current?.rows.values() ?? []) {
      (byPeriod[row.period] ??= []).push(row);
    }
    return byPeriod;
    // rowsVersion changes whenever the client's rows do.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [rowsVersion, loaded]);

  const allPeriodsStaff = useMemo(() => (prefetchAllPeriods && loaded ? allRows : {}), [prefetchAllPeriods, loaded, allRows]);
  const staffMembers = useMemo(() => allRows[currentMonthIndex] ?? [], [allRows, currentMonthIndex]);

  const whenEnabled = useCallback((action) => {
    const client = clientRef.current;
    if (!enabled || !client) return Promise.reject(new Error("WebSocket disabled"));
    return action(client).catch((error) => {
      setLastError(error.message);
      throw error;
    });
  }, [enabled]);

  const updateStaff = useCallback((staffId, changes) => whenEnabled((client) => {
    const { version, fields } = withoutServerKeys(changes ?? {}, staffId);
    return client.update(staffId, fields, typeof version === "number" ? { version } : {});
  }), [whenEnabled]);

  const addStaff = useCallback((staffData) => whenEnabled((client) => {
    const { fields } = withoutServerKeys(staffData ?? {});
    return client.create({ ...fields, period: currentMonthIndex });
  }), [whenEnabled, currentMonthIndex]);

  const deleteStaff = useCallback((staffId) => whenEnabled((client) => client.remove(staffId)), [whenEnabled]);

  const reconnect = useCallback(() => {
    clientRef.current?.reconnect();
  }, []);

  const connectionStatus = enabled ? STATUS_NAMES[status] ?? status : "disabled";
  return {
    staffMembers,
    allPeriodsStaff,
    allPeriodsLoaded: prefetchAllPeriods && loaded,
    updateStaff,
    addStaff,
    deleteStaff,
    connectionStatus,
    isLoading: enabled && !loaded,
    isConnected: connectionStatus === "connected",
    lastError,
    // This hook never gives up (it reconnects for ever, with backoff), so this stays false.
    connectionFailedPermanently: false,
    reconnect,
    reconnectAttempts: clientRef.current?.reconnectAttempts ?? 0,
    clientId: clientIdRef.current,
    prefetchMode: prefetchAllPeriods,
  };
}

function withoutServerKeys(row, staffId) {
  const fields = { ...row };
  const version = fields.version;
  for (const key of SERVER_MANAGED) delete fields[key];
  if (staffId !== undefined && fields.id === staffId) delete fields.id;
  return { version, fields };
}

export const useWebSocketStaff = useStaffSync;
export default useStaffSync;
