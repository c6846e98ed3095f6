// The Pod's live parts (no inline script: the CSP forbids it; the Pod works without this,
// a reload shows the same). A pending verification polls its status and reloads the Pod when
// it ends, so the shield and the history update; the inbox banner shows technician checks
// waiting for the signed-in technician.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const get = (url) => fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
    .then((r) => (r.ok ? r.json() : Promise.reject(r.status)));
  const live = document.querySelector("[data-verification-status]");
  if (live && live.getAttribute("data-state") === "pending") {
    const url = live.getAttribute("data-verification-status");
    const label = live.querySelector("[data-field=status]");
    const poll = () => get(url)
      .then((s) => {
        if (label) label.textContent = s.status;
        if (s.status !== "pending") { window.location.reload(); return; }
        setTimeout(poll, 1500);
      })
      .catch(() => setTimeout(poll, 5000));
    setTimeout(poll, 1500);
  }
  const inbox = document.querySelector("[data-inbox]");
  if (inbox) {
    const url = inbox.getAttribute("data-inbox");
    const count = inbox.querySelector("[data-field=count]");
    const poll = () => get(url)
      .then((s) => {
        inbox.hidden = s.count === 0;
        if (count) count.textContent = String(s.count);
        setTimeout(poll, 3000);
      })
      .catch(() => setTimeout(poll, 10000));
    poll();
  }
});
