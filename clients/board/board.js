// The live board: staff-sync's client (staff-sync.js, served beside this file) driving a plain
// page. No framework and no build step: what it does is what the DOM calls below say.
import { StaffSyncClient } from "/staff-sync.js";

const FIELDS = ["name", "position", "department", "type", "period"];

const client = new StaffSyncClient({ url: webSocketUrl() });
window.staffSync = client; // for learners in the console, and for tests

const $ = (selector) => document.querySelector(selector);
const periodsBox = $("[data-testid=periods]");
const sections = new Map(); // period -> {section, heading, tbody}
const rowNodes = new Map(); // id -> {tr, shown (the row as last drawn), conflictTr}
const editing = new Map(); // id -> {base (the row when editing began), draft}
const conflicts = new Map(); // id -> {changes (what this page tried), current (the row that won)}
let scheduled = false; // a redraw is queued

$("[data-testid=ws-url]").textContent = webSocketUrl();
client.on("change", schedule);
client.on("status", schedule);
client.on("error", (error) => {
  if (error.code !== "CONNECTION_LOST") showMessage(`${error.code}: ${error.message}`);
});
$("[data-testid=add-form]").addEventListener("submit", addStaff);
render();

/** `?ws=URL` if given, else this page's host on the server's WebSocket port. */
function webSocketUrl() {
  const asked = new URLSearchParams(location.search).get("ws");
  if (asked) return asked;
  const port = document.querySelector('meta[name="staff-sync-websocket-port"]').content;
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const host = location.hostname.includes(":") && !location.hostname.startsWith("[") ? `[${location.hostname}]` : location.hostname;
  return `${scheme}://${host}:${port}/staff-sync`;
}

function schedule() {
  if (!scheduled) {
    scheduled = true;
    setTimeout(render, 0); // one redraw per burst of events
  }
}

function render() {
  scheduled = false;
  const status = $("[data-testid=status]");
  status.textContent = client.status;
  status.className = `status ${client.status}`;
  $("[data-testid=sequence]").textContent = String(client.sequenceNumber);
  const epoch = $("[data-testid=epoch]");
  epoch.textContent = client.epoch ? client.epoch.slice(0, 8) : "–";
  epoch.title = client.epoch ?? "";
  $("[data-testid=pending]").textContent = String(client.pendingCount);

  for (const [id, node] of rowNodes) {
    if (!client.rows.has(id)) {
      node.tr.remove();
      node.conflictTr?.remove();
      rowNodes.delete(id);
      if (editing.delete(id) || conflicts.delete(id)) showMessage(`The row you were editing (${id}) was deleted.`);
    }
  }
  const byPeriod = new Map();
  for (const row of client.rows.values()) {
    if (!byPeriod.has(row.period)) byPeriod.set(row.period, []);
    byPeriod.get(row.period).push(row);
  }
  for (const [period, parts] of sections) {
    if (!byPeriod.has(period)) {
      parts.section.remove();
      sections.delete(period);
    }
  }
  let previousSection = null;
  for (const period of [...byPeriod.keys()].sort((a, b) => a - b)) {
    const parts = sections.get(period) ?? makeSection(period);
    place(periodsBox, parts.section, previousSection);
    previousSection = parts.section;
    const rows = byPeriod.get(period).sort((a, b) => a.name.localeCompare(b.name) || (a.id < b.id ? -1 : 1));
    parts.heading.replaceChildren(`Period ${period}`, small(`${rows.length} staff`));
    let previous = null;
    for (const row of rows) {
      const node = rowNodes.get(row.id) ?? makeRowNode(row.id);
      draw(node, row);
      place(parts.tbody, node.tr, previous);
      previous = node.tr;
      if (node.conflictTr) {
        place(parts.tbody, node.conflictTr, previous);
        previous = node.conflictTr;
      }
    }
  }
  $("[data-testid=empty]").hidden = client.rows.size > 0 || client.status !== "live";
}

/** Puts `node` right after `after` (or first), moving it only when it is elsewhere. */
function place(parent, node, after) {
  const expected = after ? after.nextSibling : parent.firstChild;
  if (expected !== node) parent.insertBefore(node, expected);
}

function makeSection(period) {
  const section = document.createElement("section");
  section.dataset.period = String(period);
  const heading = document.createElement("h2");
  const table = document.createElement("table");
  const head = table.createTHead().insertRow();
  for (const title of ["Name", "Position", "Department", "Type", "Version", ""]) {
    const th = document.createElement("th");
    th.textContent = title;
    head.append(th);
  }
  const tbody = table.createTBody();
  section.append(heading, table);
  const parts = { section, heading, tbody };
  sections.set(period, parts);
  return parts;
}

function makeRowNode(id) {
  const tr = document.createElement("tr");
  tr.dataset.rowId = id;
  const node = { tr, shown: null, mode: null, conflictTr: null };
  rowNodes.set(id, node);
  return node;
}

/** Redraws a row when what it shows changed; a row being edited keeps its inputs. */
function draw(node, row) {
  const edit = editing.get(row.id);
  const conflict = conflicts.get(row.id);
  const mode = edit ? "edit" : conflict ? "conflict" : "view";
  if (node.shown === row && node.mode === mode) return;
  const firstDraw = node.mode !== mode || mode !== "edit";
  node.shown = row;
  node.mode = mode;
  node.tr.className = mode === "edit" ? "editing" : mode === "conflict" ? "conflict" : "";
  if (mode === "edit") {
    if (firstDraw) drawEditor(node, row, edit);
    const note = node.tr.querySelector(".note");
    note.textContent = row.version !== edit.base.version ? `changed meanwhile: now version ${row.version}` : "";
  } else {
    node.tr.replaceChildren(
      cell(row.name), cell(row.position), cell(row.department), cell(row.type),
      cell(`v${row.version}`, "version"),
      actions(button("Edit", "quiet", () => startEdit(row.id)), button("Delete", "danger", () => remove(row.id))),
    );
  }
  node.conflictTr?.remove();
  node.conflictTr = conflict ? conflictDetail(row, conflict) : null;
}

function drawEditor(node, row, edit) {
  const inputs = ["name", "position", "department", "type"].map((field) => {
    const input = document.createElement("input");
    input.name = field;
    input.value = edit.draft[field] ?? "";
    input.addEventListener("input", () => { edit.draft[field] = input.value; });
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") save(row.id);
      if (event.key === "Escape") cancelEdit(row.id);
    });
    const td = document.createElement("td");
    td.append(input);
    return td;
  });
  const note = document.createElement("span");
  note.className = "note";
  const version = cell(`v${edit.base.version}`, "version");
  version.append(document.createElement("br"), note);
  node.tr.replaceChildren(...inputs, version,
    actions(button("Save", "", () => save(row.id)), button("Cancel", "quiet", () => cancelEdit(row.id))));
}

function conflictDetail(row, conflict) {
  const tr = document.createElement("tr");
  tr.className = "conflict-detail";
  tr.dataset.conflictFor = row.id;
  tr.dataset.testid = "conflict";
  const td = document.createElement("td");
  td.colSpan = 6;
  const yours = Object.entries(conflict.changes).map(([key, value]) => `${key} "${value}"`).join(", ");
  const text = document.createElement("p");
  text.textContent = `Version conflict: someone saved version ${conflict.current.version} first (shown above). `
    + `Your change was not applied: ${yours}.`;
  td.append(text,
    button(`Apply mine to version ${row.version}`, "", () => retry(row.id)),
    " ",
    button("Discard mine", "quiet", () => { conflicts.delete(row.id); schedule(); }));
  tr.append(td);
  return tr;
}

function startEdit(id) {
  const row = client.rows.get(id);
  conflicts.delete(id);
  editing.set(id, { base: row, draft: Object.fromEntries(FIELDS.map((field) => [field, row[field]])) });
  render();
  rowNodes.get(id)?.tr.querySelector("input")?.focus();
}

function cancelEdit(id) {
  editing.delete(id);
  schedule();
}

/** Saves only the fields that changed, on the version the editor started from. */
async function save(id) {
  const edit = editing.get(id);
  if (!edit) return;
  const changes = {};
  for (const field of ["name", "position", "department", "type"]) {
    if ((edit.draft[field] ?? "") !== (edit.base[field] ?? "")) changes[field] = edit.draft[field];
  }
  editing.delete(id);
  if (Object.keys(changes).length === 0) {
    schedule();
    return;
  }
  try {
    await client.update(id, changes, { version: edit.base.version });
  } catch (error) {
    failed(id, changes, error);
  }
  schedule();
}

async function retry(id) {
  const conflict = conflicts.get(id);
  if (!conflict) return;
  conflicts.delete(id);
  try {
    await client.update(id, conflict.changes); // on the version now held: the one that won
  } catch (error) {
    failed(id, conflict.changes, error);
  }
  schedule();
}

async function remove(id) {
  try {
    await client.remove(id);
  } catch (error) {
    failed(id, {}, error);
  }
}

function failed(id, changes, error) {
  if (error.code === "VERSION_CONFLICT" && error.current && Object.keys(changes).length > 0) {
    conflicts.set(id, { changes, current: error.current });
  } else {
    showMessage(`${error.code ?? "ERROR"}: ${error.message}`);
  }
  schedule();
}

async function addStaff(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const data = new FormData(form);
  const row = {
    name: String(data.get("name")),
    position: String(data.get("position")),
    department: String(data.get("department")),
    type: String(data.get("type") || "regular"),
    period: Number(data.get("period")),
  };
  try {
    await client.create(row);
    form.elements.name.value = "";
    form.elements.name.focus();
  } catch (error) {
    showMessage(`${error.code ?? "ERROR"}: ${error.message}`);
  }
}

function showMessage(text) {
  const box = $("[data-testid=messages]");
  const message = document.createElement("div");
  message.className = "message";
  message.textContent = text;
  box.append(message);
  setTimeout(() => message.remove(), 10_000);
  while (box.children.length > 5) box.firstChild.remove();
}

function cell(text, className) {
  const td = document.createElement("td");
  td.textContent = text ?? "";
  if (className) td.className = className;
  return td;
}

function actions(...buttons) {
  const td = document.createElement("td");
  td.className = "actions";
  td.append(...buttons);
  return td;
}

function button(label, className, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = label;
  if (className) b.className = className;
  b.addEventListener("click", onClick);
  return b;
}

function small(text) {
  const s = document.createElement("small");
  s.textContent = text;
  return s;
}
