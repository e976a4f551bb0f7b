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
