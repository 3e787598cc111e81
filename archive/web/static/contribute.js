// Add another photo entry in place (without JavaScript the link reloads the form with one more).
(function () {
  "use strict";
  var link = document.getElementById("add-photo");
  var list = document.getElementById("photo-entries");
  if (!link || !list) { return; }
  link.addEventListener("click", function (event) {
    var entries = list.querySelectorAll("fieldset.photo-entry");
    var max = parseInt(link.getAttribute("data-max"), 10) || 10;
    event.preventDefault();
    if (entries.length >= max) {
      link.textContent = "한 번에 " + max + "장까지 보낼 수 있습니다";
      return;
    }
    var index = entries.length;
    var copy = entries[0].cloneNode(true);
    copy.setAttribute("data-index", String(index));
    copy.querySelectorAll(".field-error").forEach(function (node) { node.remove(); });
    copy.querySelectorAll("[id], [name], [for], [aria-describedby]").forEach(function (node) {
      ["id", "name", "for"].forEach(function (attr) {
        var value = node.getAttribute(attr);
        if (value) { node.setAttribute(attr, value.replace(/^photos-0-/, "photos-" + index + "-")); }
      });
      node.removeAttribute("aria-describedby");
      node.removeAttribute("aria-invalid");
    });
    copy.querySelectorAll("input, textarea").forEach(function (node) { node.value = ""; });
    copy.querySelector(".entry-number").textContent = String(index + 1);
    list.appendChild(copy);
    copy.querySelector("input[type=file]").focus();
  });
}());
