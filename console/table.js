// Tables with a client-side CSV export of exactly the rows they show.
import { t } from "./i18n.js";

// A cell that a spreadsheet would run as a formula is quoted as text (CSV injection).
function cell(value) {
  let text = value === null || value === undefined ? "" : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(columns, rows) {
  const lines = [columns.map((c) => cell(t(c.label)))];
  for (const row of rows) lines.push(columns.map((c) => cell(c.value(row))));
  return lines.map((line) => line.join(",")).join("\r\n") + "\r\n";
}

function download(name, text) {
  // The byte order mark makes spreadsheet programs read the Chinese labels as UTF-8.
  const url = URL.createObjectURL(new Blob(["\ufeff", text], { type: "text/csv;charset=utf-8" }));
  const link = Object.assign(document.createElement("a"), { href: url, download: name });
  link.click();
  URL.revokeObjectURL(url);
}

// `columns`: [{label: i18n key, value: row => cell}]. Renders into `container`.
export function renderTable(container, name, columns, rows) {
  const table = document.createElement("table");
  const head = table.createTHead().insertRow();
  for (const column of columns) {
    head.appendChild(document.createElement("th")).textContent = t(column.label);
  }
  const body = table.createTBody();
  for (const row of rows) {
    const line = body.insertRow();
    for (const column of columns) line.insertCell().textContent = column.value(row) ?? "";
  }
  const exporter = document.createElement("button");
  exporter.type = "button";
  exporter.className = "csv";
  exporter.textContent = t("table.csv");
  exporter.addEventListener("click", () => download(`${name}.csv`, toCsv(columns, rows)));
  const empty = document.createElement("p");
  empty.textContent = rows.length ? "" : t("table.empty");
  container.replaceChildren(exporter, table, empty);
}
