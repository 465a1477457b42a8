// The receipt's print button: shown only where this script runs (without it, the page says
// to press Ctrl+P). A static file, so the strict Content-Security-Policy allows it.
document.addEventListener("DOMContentLoaded", function () {
  var button = document.getElementById("print-receipt");
  if (!button) return;
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
