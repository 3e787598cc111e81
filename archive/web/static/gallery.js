// Lightbox on the photo page and arrow keys for the previous/next photo.
(function () {
  "use strict";
  var opener = document.querySelector("[data-dialog]");
  var dialog = opener && document.getElementById(opener.getAttribute("data-dialog"));
  if (opener && dialog && dialog.showModal) {
    opener.addEventListener("click", function () { dialog.showModal(); });
    dialog.addEventListener("click", function (event) {
      if (event.target === dialog) { dialog.close(); }
    });
  }
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    var tag = (event.target && event.target.tagName) || "";
    if (tag === "INPUT" || tag === "TEXTAREA" || (dialog && dialog.open)) { return; }
    var link = event.key === "ArrowLeft" ? document.getElementById("prev")
      : event.key === "ArrowRight" ? document.getElementById("next") : null;
    if (link) { window.location.href = link.href; }
  });
}());
