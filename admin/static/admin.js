// The admin's own script: small behaviours the server-rendered pages share. No inline script anywhere (the
// CSP allows only files from /admin/static/), so pages opt in with data attributes.
//
//   data-confirm="Question?"   on a form: asks before submitting (the server checks everything anyway).
"use strict";

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  const question = form.dataset.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
    return;
  }
  // A double click submits once: the idempotency key makes a second submit harmless, this makes it rare.
  if (form.dataset.submitted === "true") {
    event.preventDefault();
    return;
  }
  form.dataset.submitted = "true";
  window.setTimeout(() => { form.dataset.submitted = "false"; }, 3000);
});

// htmx: a session that ended while the page was open sends the browser to the login page (HX-Redirect),
// and a failure shows the server's page instead of nothing.
document.addEventListener("htmx:responseError", (event) => {
  const xhr = event.detail.xhr;
  if (xhr && xhr.status >= 500) {
    const main = document.getElementById("main");
    if (main) {
      const note = document.createElement("div");
      note.className = "flash flash-error";
      note.setAttribute("role", "alert");
      note.textContent = xhr.status === 503
        ? "A part of the shop is not answering right now. Nothing was changed; please try again in a few seconds."
        : "Something went wrong on our side. It has been logged.";
      main.prepend(note);
    }
  }
});
