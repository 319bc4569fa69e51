// journeyline console: keeps a campaign's progress page current without a reload. It
// polls the page's small JSON endpoint (data-source) every data-interval seconds while
// the tab is visible and redraws the funnel, the tables and the drop-off with DOM calls
// (textContent only: labels such as attribute values are participants' data, never
// HTML). Without JavaScript the page is the same, current when it was loaded.
"use strict";

(() => {
  const STEPS = ["invited", "delivered", "opened", "consented", "completed"];
  const LABELS = {
    invited: "Invited", delivered: "Delivered", opened: "Opened",
    consented: "Consented", completed: "Completed",
  };
  const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

  function pct(share) {
    return share === null || share === undefined ? "–" : `${Math.round(share * 100)}%`;
  }

  function when(iso) {
    const d = new Date(iso);
    const two = (n) => String(n).padStart(2, "0");
    return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}, ` +
      `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} UTC`;
  }

  function cell(tag, text, attrs) {
    const element = document.createElement(tag);
    if (text !== undefined) element.textContent = text;
    for (const [name, value] of Object.entries(attrs || {})) element.setAttribute(name, value);
    return element;
  }

  function funnelRow(row) {
    const tr = document.createElement("tr");
    tr.append(cell("th", row.label, { scope: "row" }));
    tr.append(cell("td", String(row.participants), { class: "num", "data-label": "People" }));
    for (const step of STEPS) {
      // One span inside the cell, as the page's own rows have (a phone shows the cell
      // as "label ... value").
      const td = cell("td", undefined, { class: "num", "data-label": LABELS[step] });
      const value = cell("span", String(row.steps[step]));
      if (step !== "invited") {
        value.append(" ", cell("span", `(${pct(row.shares[step])})`, { class: "share" }));
      }
      td.append(value);
      tr.append(td);
    }
    return tr;
  }

  function draw(root, data) {
    for (const item of root.querySelectorAll("#funnel-total [data-step]")) {
      const step = item.dataset.step;
      item.querySelector("[data-field=count]").textContent = String(data.total.steps[step]);
      item.querySelector("[data-field=share]").textContent = step === "invited"
        ? `of ${data.total.participants} people`
        : `${pct(data.total.shares[step])} of invited`;
      item.querySelector("meter").value = Math.round((data.total.shares[step] || 0) * 100);
    }
    for (const table of data.tables) {
      const body = root.querySelector(`#table-${table.id} tbody`);
      if (body) body.replaceChildren(...table.rows.map(funnelRow));
    }
    const stopped = root.querySelector("#table-stopped tbody");
    if (stopped) {
      const rows = data.stopped_at.map((s) => {
        const tr = document.createElement("tr");
        tr.append(cell("th", s.label, { scope: "row" }), cell("td", String(s.interviews), { class: "num" }));
        return tr;
      });
      if (!rows.length) {
        const tr = document.createElement("tr");
        tr.append(cell("td", "No unfinished interviews.", { colspan: "2", class: "muted" }));
        rows.push(tr);
      }
      stopped.replaceChildren(...rows);
    }
    const median = root.querySelector("#median");
    if (median) {
      median.textContent = data.median_completion;
    }
    const at = root.querySelector("#progress-at");
    at.setAttribute("datetime", data.at);
    at.textContent = when(data.at);
  }

  document.addEventListener("DOMContentLoaded", () => {
    const root = document.getElementById("progress");
    if (!root || !window.fetch) return;
    for (const hint of root.querySelectorAll(".no-js-only")) hint.hidden = true;
    const state = root.querySelector("#progress-state");
    state.textContent = "Live; counts as of";
    const every = Math.max(2, Number(root.dataset.interval) || 5) * 1000;
    let timer = null;
    let stopped = false;

    async function poll() {
      timer = null;
      try {
        const response = await fetch(root.dataset.source, {
          credentials: "same-origin",
          headers: { Accept: "application/json" },
        });
        const type = response.headers.get("content-type") || "";
        if (!response.ok || response.redirected || !type.includes("application/json")) {
          // Signed out, or no longer allowed: stop asking and say why.
          state.textContent = "Not updating any more (sign in again and reload); counts as of";
          stopped = true;
          return;
        }
        draw(root, await response.json());
        state.textContent = "Live; counts as of";
      } catch (error) {
        state.textContent = "Could not update (trying again); counts as of";
      }
      if (!document.hidden) timer = setTimeout(poll, every);
    }

    document.addEventListener("visibilitychange", () => {
      if (!document.hidden && timer === null && !stopped) poll();
    });
    timer = setTimeout(poll, every);
  });
})();
