// Secure Data Send and Request in the browser (docs/security.md "Secure Data Send and
// Request"). Every secret is encrypted and decrypted here with WebCrypto; the server sees
// ciphertext only. A send's key lives in the link's fragment, which browsers never send; the
// recipient page strips it from the address bar at once. No inline script: the CSP forbids it.
"use strict";
(() => {
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  const PBKDF2_ITERATIONS = 600000;
  const SEND_INFO = enc.encode("countersign secure send v1");
  const REQUEST_INFO = enc.encode("countersign secure request v1");
  const SEND_HEADER = 30; // version, flags, salt 16, iv 12
  const REQUEST_HEADER = 94; // version, ephemeral P-256 key 65, salt 16, iv 12
  const ECDH = { name: "ECDH", namedCurve: "P-256" };

  const b64u = (buf) => {
    let s = "";
    new Uint8Array(buf).forEach((x) => { s += String.fromCharCode(x); });
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  };
  const unb64u = (s) => {
    let t = String(s).replace(/-/g, "+").replace(/_/g, "/");
    while (t.length % 4) t += "=";
    const bin = atob(t);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i += 1) out[i] = bin.charCodeAt(i);
    return out;
  };
  const rand = (n) => crypto.getRandomValues(new Uint8Array(n));
  const concat = (...parts) => {
    const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
    let o = 0;
    parts.forEach((p) => { out.set(p, o); o += p.length; });
    return out;
  };

  // The passphrase, stretched (PBKDF2-SHA256, 600,000 iterations, the envelope's salt).
  async function stretch(passphrase, salt) {
    const base = await crypto.subtle.importKey("raw", enc.encode(passphrase), "PBKDF2", false, ["deriveBits"]);
    const bits = await crypto.subtle.deriveBits(
      { name: "PBKDF2", hash: "SHA-256", salt, iterations: PBKDF2_ITERATIONS }, base, 256);
    return new Uint8Array(bits);
  }
  async function hkdfKey(ikm, salt, info, usage) {
    const base = await crypto.subtle.importKey("raw", ikm, "HKDF", false, ["deriveKey"]);
    return crypto.subtle.deriveKey(
      { name: "HKDF", hash: "SHA-256", salt, info }, base, { name: "AES-GCM", length: 256 }, false, [usage]);
  }

  // Send envelope: 1 | flags (1 passphrase, 2 server share) | salt | iv | AES-256-GCM
  // ciphertext with the header as associated data. Key: HKDF over fragment key ‖ share ‖
  // stretched passphrase, so every part is needed.
  async function sealSend(plaintext, fragmentKey, share, passphrase) {
    const salt = rand(16);
    const iv = rand(12);
    const header = concat(new Uint8Array([1, (passphrase ? 1 : 0) | (share ? 2 : 0)]), salt, iv);
    const parts = [fragmentKey];
    if (share) parts.push(share);
    if (passphrase) parts.push(await stretch(passphrase, salt));
    const key = await hkdfKey(concat(...parts), salt, SEND_INFO, "encrypt");
    const ct = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: header }, key, enc.encode(plaintext));
    return concat(header, new Uint8Array(ct));
  }
  async function openSend(envelope, fragmentKey, share, passphrase) {
    if (envelope.length <= SEND_HEADER || envelope[0] !== 1) throw new Error("format");
    const header = envelope.slice(0, SEND_HEADER);
    const salt = envelope.slice(2, 18);
    const iv = envelope.slice(18, SEND_HEADER);
    const parts = [fragmentKey];
    if (envelope[1] & 2) {
      if (!share) throw new Error("share");
      parts.push(share);
    }
    if (envelope[1] & 1) parts.push(await stretch(passphrase || "", salt));
    const key = await hkdfKey(concat(...parts), salt, SEND_INFO, "decrypt");
    const pt = await crypto.subtle.decrypt({ name: "AES-GCM", iv, additionalData: header }, key, envelope.slice(SEND_HEADER));
    return dec.decode(pt);
  }

  // Request envelope: 2 | ephemeral public key | salt | iv | ciphertext. Key: HKDF over the
  // ECDH secret with the request's public key, bound to that key.
  async function sealRequest(plaintext, publicRaw) {
    const recipient = await crypto.subtle.importKey("raw", publicRaw, ECDH, false, []);
    const eph = await crypto.subtle.generateKey(ECDH, true, ["deriveBits"]);
    const shared = new Uint8Array(await crypto.subtle.deriveBits({ name: "ECDH", public: recipient }, eph.privateKey, 256));
    const ephRaw = new Uint8Array(await crypto.subtle.exportKey("raw", eph.publicKey));
    const salt = rand(16);
    const iv = rand(12);
    const header = concat(new Uint8Array([2]), ephRaw, salt, iv);
    const key = await hkdfKey(shared, salt, concat(REQUEST_INFO, publicRaw), "encrypt");
    const ct = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: header }, key, enc.encode(plaintext));
    return concat(header, new Uint8Array(ct));
  }
  async function openRequest(envelope, pkcs8) {
    if (envelope.length <= REQUEST_HEADER || envelope[0] !== 2) throw new Error("format");
    const header = envelope.slice(0, REQUEST_HEADER);
    const ephRaw = envelope.slice(1, 66);
    const salt = envelope.slice(66, 82);
    const iv = envelope.slice(82, REQUEST_HEADER);
    const priv = await crypto.subtle.importKey("pkcs8", pkcs8, ECDH, true, ["deriveBits"]);
    const eph = await crypto.subtle.importKey("raw", ephRaw, ECDH, false, []);
    const shared = new Uint8Array(await crypto.subtle.deriveBits({ name: "ECDH", public: eph }, priv, 256));
    // The request's own public key, from its private key (JWK carries x and y).
    const jwk = await crypto.subtle.exportKey("jwk", priv);
    const publicRaw = concat(new Uint8Array([4]), unb64u(jwk.x), unb64u(jwk.y));
    const key = await hkdfKey(shared, salt, concat(REQUEST_INFO, publicRaw), "decrypt");
    const pt = await crypto.subtle.decrypt({ name: "AES-GCM", iv, additionalData: header }, key, envelope.slice(REQUEST_HEADER));
    return dec.decode(pt);
  }

  async function post(url, csrf, body) {
    const r = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "x-csrf-token": csrf },
      body: JSON.stringify(body || {}),
    });
    let data = {};
    try { data = await r.json(); } catch (_) { data = {}; }
    if (!r.ok) throw new Error(data.detail || `The server refused (${r.status}). Reload the page and try again.`);
    return data;
  }
  const byId = (id) => document.getElementById(id);
  const show = (el, text) => { if (el) { el.textContent = text; el.hidden = false; } };
  // A message the page wrote in its reader's language (`data-t-<name>` on `section`), else
  // the English one.
  const said = (section, name, english) => (section && section.getAttribute(`data-t-${name}`)) || english;
  const copyButton = (buttonId, sourceId, section) => {
    const b = byId(buttonId);
    const src = byId(sourceId);
    if (b && src) {
      b.addEventListener("click", () => {
        if (navigator.clipboard) navigator.clipboard.writeText(src.value || "");
        b.textContent = said(section, "copied", "Copied");
      });
    }
  };

  // The technician's Secure Send / Secure Request form (Pod panel or standalone page).
  function createForm(form) {
    const button = form.querySelector("button[type=submit]");
    const error = byId("secret-form-error");
    const value = (id) => { const el = byId(id); return el ? el.value : ""; };
    const checked = (id) => { const el = byId(id); return !!(el && el.checked); };
    button.disabled = false;
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      if (error) error.hidden = true;
      const kind = form.getAttribute("data-kind");
      const channelInput = form.querySelector("input[data-channel]:checked");
      const body = {
        kind,
        contact: form.getAttribute("data-contact") || "",
        to: value("secret-to").trim(),
        channel: channelInput ? channelInput.value : "",
        label: value("secret-label"),
        expiry: value("secret-expiry"),
        views: parseInt(value("secret-views") || "1", 10),
        notify: checked("secret-notify-on"),
      };
      let fragmentKey = null;
      button.disabled = true;
      try {
        if (kind === "send") {
          const text = value("secret-text");
          if (!text) throw new Error("Enter the secret to send.");
          fragmentKey = rand(32);
          const share = checked("secret-verify") ? rand(32) : null;
          const passphrase = value("secret-passphrase");
          body.envelope = b64u(await sealSend(text, fragmentKey, share, passphrase));
          if (share) body.server_share = b64u(share);
          body.passphrase = !!passphrase;
          // Only when the server is to send the link: it composes the message and forgets it.
          if (body.channel !== "copy") body.link_key = b64u(fragmentKey);
        } else {
          const pair = await crypto.subtle.generateKey(ECDH, true, ["deriveBits"]);
          body.public_key = b64u(await crypto.subtle.exportKey("raw", pair.publicKey));
          body.private_key = b64u(await crypto.subtle.exportKey("pkcs8", pair.privateKey));
        }
        const d = await post(form.getAttribute("data-create"), form.getAttribute("data-csrf"), body);
        const link = window.location.origin + d.path + (fragmentKey ? `#${b64u(fragmentKey)}` : "");
        form.reset();
        form.hidden = true;
        const copy = body.channel === "copy";
        show(byId("secret-created-text"), copy
          ? "Done. Copy this link and give it to the recipient; the server never saw its key."
          : `Sent to ${d.recipient}.`);
        const linkBox = byId("secret-link");
        if (linkBox && copy) { linkBox.value = link; byId("secret-link-row").hidden = false; }
        const status = byId("secret-status-link");
        if (status) status.setAttribute("href", d.status);
        byId("secret-created").hidden = false;
      } catch (e) {
        show(error, e.message || "Encryption failed in this browser.");
        button.disabled = false;
      }
    });
    copyButton("secret-link-copy", "secret-link");
  }

  // The recipient's page of a send.
  // A send's key: taken from the fragment on any of its pages (interstitial, code step) and
  // kept in this tab's sessionStorage until revealed, so the code step does not lose it. The
  // fragment is stripped from the address bar (and so from history) at once.
  function linkKey() {
    const parts = window.location.pathname.split("/");
    if (parts[1] !== "s" || !parts[2]) return null;
    const slot = `countersign-key:${parts[2]}`;
    const fragment = window.location.hash.slice(1);
    if (fragment) {
      try { window.sessionStorage.setItem(slot, fragment); } catch (_) { /* private mode */ }
      window.history.replaceState(null, "", window.location.pathname + window.location.search);
      return { value: fragment, slot };
    }
    let kept = null;
    try { kept = window.sessionStorage.getItem(slot); } catch (_) { kept = null; }
    return kept ? { value: kept, slot } : null;
  }
  const forget = (k) => { try { window.sessionStorage.removeItem(k.slot); } catch (_) { /* gone */ } };

  function revealPage(section, stored) {
    const fragment = stored ? stored.value : "";
    const button = byId("secret-reveal-button");
    const error = byId("secret-reveal-error");
    let key = null;
    try { key = fragment ? unb64u(fragment) : null; } catch (_) { key = null; }
    if (!key || key.length !== 32) {
      show(error, said(section, "incomplete", "This link is incomplete: the part after the # is missing or damaged. Open the full link from the message; nothing was used up."));
      return;
    }
    button.disabled = false;
    let claimed = null; // kept, so a mistyped passphrase can be retried without another view
    button.addEventListener("click", async () => {
      button.disabled = true;
      error.hidden = true;
      const pass = byId("secret-passphrase");
      try {
        if (!claimed) {
          const d = await post(section.getAttribute("data-reveal"), section.getAttribute("data-csrf"),
            { nonce: section.getAttribute("data-nonce") });
          claimed = { envelope: unb64u(d.envelope), share: d.share ? unb64u(d.share) : null, left: d.views_left };
        }
        let text;
        try {
          text = await openSend(claimed.envelope, key, claimed.share, pass ? pass.value : "");
        } catch (_) {
          throw new Error(pass
            ? said(section, "wrong-passphrase", "Wrong passphrase. Try again; this does not use another view.")
            : said(section, "undecryptable", "The message could not be decrypted: the link is incomplete or damaged."));
        }
        byId("secret-plaintext").value = text;
        byId("secret-output").hidden = false;
        // The page wrote "N more times" for the count it expected; another tab may have
        // used a view meanwhile, and then the words carry no count.
        const expected = String(claimed.left) === section.getAttribute("data-more");
        show(byId("secret-after"), claimed.left > 0
          ? (expected ? said(section, "after-more", `It can be revealed ${claimed.left} more time(s) until it expires.`)
            : said(section, "after-again", "It can be revealed again until it expires."))
          : said(section, "last-view", "That was its last view: it is now deleted from the server."));
        button.hidden = true;
        if (pass) pass.disabled = true;
        if (stored) forget(stored);
      } catch (e) {
        show(error, e.message);
        button.disabled = false;
      }
    });
    copyButton("secret-copy", "secret-plaintext", section);
  }

  // The contact's page of a request.
  function requestPage(section) {
    const button = byId("request-send");
    const error = byId("request-error");
    button.disabled = false;
    button.addEventListener("click", async () => {
      error.hidden = true;
      const box = byId("request-text");
      if (!box.value) { show(error, said(section, "empty", "Enter what was asked for.")); return; }
      button.disabled = true;
      try {
        const envelope = await sealRequest(box.value, unb64u(section.getAttribute("data-public-key")));
        await post(section.getAttribute("data-submit"), section.getAttribute("data-csrf"),
          { nonce: section.getAttribute("data-nonce"), envelope: b64u(envelope) });
        box.value = "";
        box.disabled = true;
        button.hidden = true;
        byId("request-done").hidden = false;
      } catch (e) {
        show(error, e.message);
        button.disabled = false;
      }
    });
  }

  // The technician reveals a request's answer (once).
  function requestReveal(section) {
    const button = byId("request-reveal-button");
    const error = byId("request-reveal-error");
    button.disabled = false;
    button.addEventListener("click", async () => {
      button.disabled = true;
      error.hidden = true;
      try {
        const d = await post(section.getAttribute("data-reveal"), section.getAttribute("data-csrf"), {});
        byId("secret-plaintext").value = await openRequest(unb64u(d.envelope), unb64u(d.private_key));
        byId("secret-output").hidden = false;
        button.hidden = true;
      } catch (e) {
        show(error, e.message || "The answer could not be decrypted.");
        button.disabled = false;
      }
    });
    copyButton("secret-copy", "secret-plaintext");
  }

  // A live link's status, polled until it ends.
  function statusPoll(el) {
    const url = el.getAttribute("data-secret-status");
    const state = el.querySelector("[data-field=state]");
    const text = el.querySelector("[data-field=text]");
    const poll = () => fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then((r) => (r.ok ? r.json() : Promise.reject(r.status)))
      .then((s) => {
        const before = state.textContent;
        state.textContent = s.state;
        text.textContent = s.text;
        el.setAttribute("data-state", s.state);
        // An answered request gets its Reveal button from the server: reload once.
        if (before !== s.state && s.state === "answered") {
          window.location.reload();
          return;
        }
        if (s.live) setTimeout(poll, 3000);
      })
      .catch(() => setTimeout(poll, 10000));
    if (el.getAttribute("data-live") === "true") setTimeout(poll, 3000);
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("form[data-create]").forEach(createForm);
    const stored = linkKey();
    const reveal = byId("secret-reveal");
    if (reveal) revealPage(reveal, stored);
    const request = byId("secret-request");
    if (request) requestPage(request);
    const answer = byId("request-reveal");
    if (answer) requestReveal(answer);
    const status = document.querySelector("[data-secret-status]");
    if (status) statusPoll(status);
  });
})();
