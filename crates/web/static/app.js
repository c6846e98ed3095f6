// Countersign's own small script. No inline handlers (the CSP forbids inline script); every
// page works without it.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const toggle = document.querySelector(".nav-toggle");
  const nav = document.getElementById("mainnav");
  if (toggle && nav) {
    toggle.addEventListener("click", () => {
      const open = nav.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }
  // Buttons that ask before doing something destructive: <button data-confirm="...">.
  document.querySelectorAll("[data-confirm]").forEach((el) => {
    el.addEventListener("click", (ev) => {
      if (!window.confirm(el.getAttribute("data-confirm"))) ev.preventDefault();
    });
  });
  // Print buttons (the policy sheet): <button data-print>.
  document.querySelectorAll("[data-print]").forEach((el) => {
    el.addEventListener("click", () => window.print());
  });
  // Copy buttons: <button data-copy="#id">.
  document.querySelectorAll("[data-copy]").forEach((el) => {
    el.addEventListener("click", () => {
      const src = document.querySelector(el.getAttribute("data-copy"));
      if (src && navigator.clipboard) {
        navigator.clipboard.writeText(src.value || src.textContent || "");
        el.textContent = "Copied";
      }
    });
  });
});
// Tables stack into labelled rows on narrow screens (app.css): each body cell gets its column's
// header text as data-label, unless the template set one. Live updates only change text
// inside cells, so labelling once is enough.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("table").forEach((table) => {
    const head = table.tHead && table.tHead.rows[0];
    if (!head) return;
    const names = [];
    Array.from(head.cells).forEach((th) => {
      for (let i = 0; i < (th.colSpan || 1); i++) names.push(th.textContent.trim());
    });
    Array.from(table.tBodies).forEach((body) => {
      Array.from(body.rows).forEach((row) => {
        let column = 0;
        Array.from(row.cells).forEach((cell) => {
          if (cell.tagName === "TD" && !cell.hasAttribute("data-label")) {
            cell.setAttribute("data-label", names[column] || "");
          }
          column += cell.colSpan || 1;
        });
      });
    });
  });
});
// Live sync progress on an integration page: <table data-sync-status="URL"> with rows
// <tr data-link="ID"> and cells <td data-field="...">. Polls while a tenant is queued or
// syncing (and a little after), without reloading the page.
document.addEventListener("DOMContentLoaded", () => {
  const table = document.querySelector("[data-sync-status]");
  if (!table) return;
  const url = table.getAttribute("data-sync-status");
  const badge = (ok) => ok === true ? '<span class="badge ok">ok</span>' : ok === false ? '<span class="badge bad">failed</span>' : "";
  let quiet = 0;
  const poll = () => {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then((r) => r.ok ? r.json() : [])
      .then((links) => {
        let busy = false;
        links.forEach((l) => {
          const row = table.querySelector('tr[data-link="' + l.id + '"]');
          if (!row) return;
          ["status", "last_sync", "last_error", "pages", "users_seen", "added", "changed", "removed"].forEach((f) => {
            const cell = row.querySelector('[data-field="' + f + '"]');
            if (cell) cell.textContent = String(l[f]);
          });
          const result = row.querySelector('[data-field="result"]');
          if (result) result.innerHTML = badge(l.last_ok);
          if (l.status === "queued" || l.status === "syncing") busy = true;
        });
        quiet = busy ? 0 : quiet + 1;
        if (quiet < 3) setTimeout(poll, 1500);
      })
      .catch(() => setTimeout(poll, 5000));
  };
  poll();
});
// A job whose progress the page shows (Sync Customer) is still queued or running: the
// server marks the page with [data-reload-while-running]; reload it until the job is done.
document.addEventListener("DOMContentLoaded", () => {
  if (document.querySelector("[data-reload-while-running]")) {
    setTimeout(() => window.location.reload(), 1500);
  }
});
