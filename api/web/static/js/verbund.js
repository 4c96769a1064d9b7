// verbund: small enhancements on top of pages that work without JavaScript.
// htmx requests carry the CSRF token from the page's meta tag.
document.addEventListener("htmx:configRequest", function (event) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) { event.detail.headers["X-CSRF-Token"] = meta.content; }
});
// Focus the error summary so keyboard and screen-reader users hear it first.
function focusErrorSummary() {
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }
}
document.addEventListener("DOMContentLoaded", focusErrorSummary);
document.addEventListener("htmx:afterSwap", focusErrorSummary);
// "Drucken" buttons (data-print) are hidden until this script can make them work.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
});
// Long posts (the import's check and import, data-busy="…"): say that it runs and block a
// second click; without this script the form still works, the server claims an upload once.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-busy")) return;
  if (form.getAttribute("aria-busy") === "true") { event.preventDefault(); return; }
  form.setAttribute("aria-busy", "true");
  var status = form.querySelector("[data-busy-status]");
  if (status) status.textContent = form.getAttribute("data-busy");
  form.querySelectorAll("button[type=submit]").forEach(function (button) {
    button.setAttribute("aria-disabled", "true");
  });
});
