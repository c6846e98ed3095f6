// Broadcast pages (issue 20). No inline script (the CSP forbids it) and nothing from another
// site; every page works without this script, which only adds:
// - the compose form: a live SMS count (the rules of countersign_messaging::broadcast::sms_count),
//   hiding the parts of the channels and audience not chosen, and the audience's count as it
//   is changed (GET /broadcasts/audience);
// - a broadcast's page: its progress, polled every 2 s while it sends, without a reload.
"use strict";

// ---- SMS count: GSM-7 vs UCS-2, segments (mirror of crates/messaging/src/broadcast/segments.rs).
const GSM7_BASIC = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
  "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
const GSM7_EXTENSION = "\f^{}\\[~]|€";

function smsCount(text) {
  const chars = Array.from(text);
  let gsm = true;
  const gsmCosts = [];
  for (const c of chars) {
    if (GSM7_BASIC.includes(c)) gsmCosts.push(1);
    else if (GSM7_EXTENSION.includes(c)) gsmCosts.push(2);
    else { gsm = false; break; }
  }
  const costs = gsm ? gsmCosts : chars.map((c) => (c.codePointAt(0) > 0xffff ? 2 : 1));
  const single = gsm ? 160 : 70;
  const split = gsm ? 153 : 67;
  const units = costs.reduce((a, b) => a + b, 0);
  let segments;
  let remaining;
  if (units === 0) { segments = 0; remaining = single; }
  else if (units <= single) { segments = 1; remaining = single - units; }
  else {
    // A character that does not fit whole starts the next segment (an ESC pair or a
    // surrogate pair is never split).
    segments = 1;
    let used = 0;
    for (const cost of costs) {
      if (used + cost > split) { segments += 1; used = 0; }
      used += cost;
    }
    remaining = split - used;
  }
  return { encoding: gsm ? "GSM-7" : "Unicode (UCS-2)", characters: chars.length, units, segments, remaining };
}

function plural(n, word) {
  return n + " " + word + (n === 1 ? "" : "s");
}

// A form posts a line break as CR LF; the server stores and sends it as LF, as a textarea
// holds it, so the value is counted as it is.
function countWords(text) {
  const c = smsCount(text);
  return plural(c.characters, "character") + " · " + plural(c.segments, "segment") + " · " +
    c.encoding + " · " + c.remaining + " left in this segment";
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("textarea[data-sms-counter]").forEach((area) => {
    const out = document.querySelector(area.getAttribute("data-sms-counter"));
    if (!out) return;
    const show = () => { out.textContent = "Now: " + countWords(area.value) + "."; };
    area.addEventListener("input", show);
    show();
  });
});

// ---- Compose form: show only the chosen parts, and count the audience as it changes.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("compose");
  if (!form) return;
  const checked = (name) => {
    const el = form.querySelector('input[name="' + name + '"]:checked');
    return el ? el.value : "";
  };
  const toggle = () => {
    const channels = checked("channels").split(",");
    form.querySelectorAll(".channel-part[data-channel]").forEach((part) => {
      part.hidden = !channels.includes(part.getAttribute("data-channel"));
    });
    const audience = checked("audience");
    form.querySelectorAll(".audience-part[data-audience]").forEach((part) => {
      part.hidden = part.getAttribute("data-audience") !== audience;
    });
  };
  form.addEventListener("change", toggle);
  toggle();

  const live = document.getElementById("audience-live");
  if (!live) return;
  const url = live.getAttribute("data-audience-url");
  const status = document.getElementById("audience-live-status");
  const keys = ["channels", "audience", "customer", "f_customer", "f_source", "f_integration",
    "f_has_mobile", "f_has_email", "f_job_title", "f_department"];
  let timer = null;
  let asked = 0;
  const count = () => {
    const params = new URLSearchParams();
    new FormData(form).forEach((value, key) => {
      if (keys.includes(key)) params.append(key, String(value));
    });
    const mine = ++asked;
    status.textContent = "Counting…";
    fetch(url + "?" + params.toString(), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then((r) => r.json().then((body) => ({ ok: r.ok, body })))
      .then(({ ok, body }) => {
        if (mine !== asked) return; // a later change asked again
        if (!ok) {
          status.textContent = body.errors && body.errors.length ? body.errors.map((e) => e.detail).join(" ") : (body.detail || "Cannot count this audience.");
          return;
        }
        live.querySelectorAll("[data-count]").forEach((cell) => {
          const v = body[cell.getAttribute("data-count")];
          if (v !== undefined) cell.textContent = String(v);
        });
        status.textContent = "Counted just now, from the contacts as they are.";
      })
      .catch(() => { if (mine === asked) status.textContent = "Cannot count now; saving the draft shows the count."; });
  };
  const later = (ev) => {
    const name = ev.target && ev.target.name;
    if (name && !keys.includes(name)) return;
    clearTimeout(timer);
    timer = setTimeout(count, 300);
  };
  form.addEventListener("change", later);
  form.addEventListener("input", later);
  live.hidden = false;
  count();
});

// ---- A broadcast's page: live progress. <section data-progress-url="…" data-done="true|false">
// with cells [data-progress="<count>"], a <progress> bar, the status badge #status and the
// line #progress-status. Polls every 2 s until the broadcast is completed or cancelled.
document.addEventListener("DOMContentLoaded", () => {
  const section = document.querySelector("[data-progress-url]");
  if (!section) return;
  const url = section.getAttribute("data-progress-url");
  const bar = section.querySelector("progress");
  const badge = document.getElementById("status");
  const line = document.getElementById("progress-status");
  const show = (p) => {
    section.querySelectorAll("[data-progress]").forEach((cell) => {
      const v = p[cell.getAttribute("data-progress")];
      if (v !== undefined) cell.textContent = String(v);
    });
    if (bar) {
      bar.max = Math.max(1, p.messages);
      bar.value = p.finished;
    }
    if (badge) badge.textContent = p.status_label;
    if (line) {
      // The report below was read when the page was shown: once it ends, say how to see it.
      line.textContent = p.done
        ? p.status_label + ": " + p.finished + " of " + p.messages + " messages ended. Reload for each recipient's final status."
        : p.finished + " of " + p.messages + " messages ended so far; this updates by itself.";
    }
    section.setAttribute("data-done", p.done ? "true" : "false");
  };
  const poll = () => {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then((r) => (r.ok ? r.json() : Promise.reject(r.status)))
      .then((p) => {
        show(p);
        if (!p.done) setTimeout(poll, 2000);
      })
      .catch((status) => {
        // Signed out or gone: asking again will not help; a reload shows why.
        if (typeof status === "number" && status >= 400 && status < 500) {
          if (line) line.textContent = "Progress stopped updating: reload the page.";
          return;
        }
        setTimeout(poll, 5000);
      });
  };
  if (section.getAttribute("data-done") !== "true") setTimeout(poll, 2000);
});
