// The Pod inside a PSA's frame (docs/security.md "The Pod inside a PSA"). Two roles:
// - the framed sign-in panel: opens /pod/connect in a top-level window, receives the one-time
//   code from it, trades it for the Pod's session (POST /pod/session) and reloads;
// - the /pod/connect window, once confirmed: hands the code to the window that opened it
//   (only if that window is a Countersign page) and closes.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const status = (text) => {
    const s = document.querySelector("[data-field=status]");
    if (s) s.textContent = text;
  };
  const connected = document.querySelector("[data-pod-code]");
  if (connected) {
    const code = connected.getAttribute("data-pod-code");
    if (window.opener && !window.opener.closed) {
      // targetOrigin is our own origin: the opener is the Pod's sign-in panel (a Countersign
      // page inside the PSA's frame); any other page never receives the code.
      window.opener.postMessage({ type: "countersign-pod-code", code }, window.location.origin);
      status("Connected. This window closes itself; you can close it if it stays open.");
      window.close();
    } else {
      status("This window lost its link to your PSA page. Close it and press “Sign in to Countersign” in the PSA again.");
    }
    return;
  }
  const button = document.querySelector("[data-pod-connect]");
  if (!button) return;
  // The origin of the page that frames us: ancestorOrigins where the browser has it, else the
  // referrer (the PSA page that loaded the frame).
  const frameOrigin = () => {
    const a = window.location.ancestorOrigins;
    if (a && a.length > 0) return a[0];
    try {
      return document.referrer ? new URL(document.referrer).origin : "";
    } catch (e) {
      return "";
    }
  };
  let popup = null;
  let origin = "";
  button.addEventListener("click", () => {
    origin = frameOrigin();
    if (!origin || origin === "null" || origin === window.location.origin) {
      status("Countersign cannot tell which site shows this panel. Open the contact in Countersign instead.");
      return;
    }
    popup = window.open("/pod/connect?origin=" + encodeURIComponent(origin),
      "countersign-pod-connect", "popup,width=520,height=640");
    if (!popup) {
      status("Your browser blocked the sign-in window: allow pop-ups for this page and press the button again.");
      return;
    }
    status("Sign in through the new window…");
  });
  window.addEventListener("message", (event) => {
    if (event.origin !== window.location.origin || popup === null || event.source !== popup) return;
    const data = event.data;
    if (!data || data.type !== "countersign-pod-code" || typeof data.code !== "string") return;
    popup = null;
    status("Signing in…");
    const failed = "Signing in failed: press the button again.";
    fetch("/pod/session", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ code: data.code, frame_origin: origin }),
    })
      .then((r) => {
        if (r.ok) {
          window.location.reload();
          return null;
        }
        return r.json().then((b) => status(b.detail || failed), () => status(failed));
      })
      .catch(() => status("Countersign cannot be reached: check the connection and press the button again."));
  });
});
