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

// Check the form in the browser before anything is uploaded, and list every problem at once
// in the error summary (the server checks everything again).
(function () {
  "use strict";
  var form = document.getElementById("contribute-form");
  var summary = document.getElementById("error-summary");
  if (!form || !summary) { return; }
  if (!summary.hidden) { summary.focus(); }
  var IMAGE = /\.(jpe?g|png|heic|heif|webp|tiff?|gif|bmp)$/i;
  var MB = 1024 * 1024;

  function label(field) {
    var node = form.querySelector("label[for='" + field.id + "']");
    return node ? node.textContent.trim() : "";
  }

  function problems() {
    var found = [];
    var add = function (field, text, message) { found.push([field.id, text || label(field), message]); };
    var maxFile = parseFloat(form.getAttribute("data-max-file-mb"));
    var maxAll = parseFloat(form.getAttribute("data-max-request-mb"));
    var maxPhotos = parseInt(form.getAttribute("data-max-photos"), 10);
    var total = 0;
    var chosen = 0;
    var entries = form.querySelectorAll("fieldset.photo-entry");
    entries.forEach(function (entry, index) {
      var input = entry.querySelector("input[type=file]");
      var prefix = "사진 " + (index + 1) + "의 사진 파일";
      var text = Array.prototype.some.call(entry.querySelectorAll("input[type=text], input:not([type]), textarea"),
        function (node) { return node.value.trim() !== ""; });
      var file = input.files && input.files[0];
      if (!file) {
        if (text) { add(input, prefix, "이 칸의 사진 파일을 골라 주세요."); }
        return;
      }
      chosen += 1;
      total += file.size;
      if (!(file.type && file.type.indexOf("image/") === 0) && !IMAGE.test(file.name)) {
        add(input, prefix, "사진 파일(JPEG, PNG, HEIC 등)만 보낼 수 있습니다.");
      }
      if (file.size > maxFile * MB) {
        add(input, prefix, "사진 한 장은 " + maxFile + "MB까지 보낼 수 있습니다.");
      }
    });
    var first = entries[0].querySelector("input[type=file]");
    if (!chosen) { add(first, "사진 1의 사진 파일", "보낼 사진을 하나 이상 골라 주세요."); }
    if (chosen > maxPhotos) { add(first, "사진 1의 사진 파일", "사진은 한 번에 " + maxPhotos + "장까지 보낼 수 있습니다."); }
    if (total > maxAll * MB) { add(first, "사진 파일", "모두 합쳐 " + maxAll + "MB까지 보낼 수 있습니다."); }
    var name = document.getElementById("name");
    if (name && !name.value.trim()) { add(name, "", "이름을 적어 주세요."); }
    var contact = document.getElementById("contact");
    if (contact && !contact.value.trim()) { add(contact, "", "연락처를 적어 주세요."); }
    var rights = form.querySelectorAll("input[name=rights]");
    if (rights.length && !form.querySelector("input[name=rights]:checked")) {
      add(rights[0], "공공누리 유형", "공공누리 유형을 하나 골라 주세요.");
    }
    ["owns_rights", "consent"].forEach(function (id) {
      var box = document.getElementById(id);
      if (box && !box.checked) {
        add(box, "", id === "consent" ? "개인정보 수집·이용에 동의해야 보낼 수 있습니다."
          : "사진을 공유해도 되는지 확인해 주세요.");
      }
    });
    return found;
  }

  form.addEventListener("submit", function (event) {
    var found = problems();
    if (!found.length) { return; }
    event.preventDefault();
    var list = summary.querySelector("ul");
    list.textContent = "";
    found.forEach(function (problem) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = "#" + problem[0];
      link.textContent = problem[1] + ": " + problem[2];
      item.appendChild(link);
      list.appendChild(item);
    });
    var again = summary.querySelector(".choose-again");
    if (again) { again.remove(); }
    summary.hidden = false;
    summary.focus();
  });
  summary.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[href^='#']") : null;
    var field = link && document.getElementById(link.getAttribute("href").slice(1));
    if (field) { event.preventDefault(); field.focus(); field.scrollIntoView({ block: "center" }); }
  });
}());

// On phones the optional fields start folded (open without JavaScript, and whenever one
// holds a value or an error).
(function () {
  "use strict";
  if (!window.matchMedia || !window.matchMedia("(max-width: 40rem)").matches) { return; }
  document.querySelectorAll("details[data-fold-on-phone]").forEach(function (details) {
    var filled = Array.prototype.some.call(
      details.querySelectorAll("input, textarea"), function (field) { return field.value; });
    if (!filled && !details.querySelector(".field-error")) { details.open = false; }
  });
}());
