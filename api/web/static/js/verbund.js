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
// The import's file field: a German "Datei auswählen" button and the chosen names instead of
// the browser's own wording; the transparent input above the button still does the work.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".vb-file").forEach(function (box) {
    var input = box.querySelector("input[type=file]");
    var button = box.querySelector("[data-file-button]");
    var names = box.querySelector("[data-file-names]");
    if (!input || !button || !names) return;
    box.classList.add("vb-file--enhanced");
    button.hidden = false;
    names.hidden = false;
    function show() {
      var files = Array.prototype.map.call(input.files || [], function (f) { return f.name; });
      if (files.length === 0) names.textContent = "Keine Datei ausgewählt";
      else if (files.length === 1) names.textContent = files[0];
      else names.textContent = files.length + " Dateien: " + files.join(", ");
    }
    input.addEventListener("change", show);
    show();
  });
});
