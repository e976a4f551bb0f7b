// Pacer's own browser code. Every page works without it; it only makes them nicer.

// When an htmx request cannot reach the server, say so instead of failing silently.
document.addEventListener("htmx:sendError", (event) => {
  const form = event.target.closest("form");
  if (!form) return;
  let message = form.querySelector(".send-error");
  if (!message) {
    message = document.createElement("p");
    message.className = "error send-error";
    message.setAttribute("role", "alert");
    form.append(message);
  }
  message.textContent = document.documentElement.dataset.sendError || "Not sent: no connection.";
});

// Today: after a tap the tile is swapped alone. Say what happened in its live region (filled in
// once it is on the page, so screen readers hear it), keep focus where the thumb was (the
// button tapped, or what the form names), and offer Undo there for a few seconds.
(function () {
  const UNDO_SECONDS = 10;
  let pressed = null; // the id of the last button pressed, to focus its replacement

  document.addEventListener("click", (event) => {
    const button = event.target.closest && event.target.closest("button");
    if (!button) return;
    const form = button.closest("form");
    pressed = (form && form.dataset.focus) || button.id || null;
  }, true);

  function expireUndo(form) {
    if (form.dataset.expires) return;
    form.dataset.expires = "1";
    setTimeout(function check() {
      if (!form.isConnected) return;
      if (form.contains(document.activeElement)) {
        setTimeout(check, 2000); // not while the thumb is on it
        return;
      }
      form.remove();
    }, UNDO_SECONDS * 1000);
  }

  document.addEventListener("htmx:afterSettle", () => {
    for (const notice of document.querySelectorAll(".notice[data-message]")) {
      if (!notice.textContent) notice.textContent = notice.dataset.message;
    }
    for (const form of document.querySelectorAll(".tile-undo")) expireUndo(form);
    const active = document.activeElement;
    if (pressed && (!active || active === document.body)) {
      const target = document.getElementById(pressed);
      if (target) target.focus({ preventScroll: true });
    }
  });

  function start() {
    for (const form of document.querySelectorAll(".tile-undo")) expireUndo(form);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
