// The search box suggests places, tags and people as you type: an ARIA 1.2 combobox with
// a listbox popup. Without this script the box is a plain search field.
(function () {
  "use strict";
  var input = document.getElementById("q");
  if (!input || !window.fetch) { return; }
  var form = input.form;
  var list = document.createElement("ul");
  var status = document.createElement("p");
  var options = [];
  var active = -1;
  var timer = null;
  var asked = "";
  list.id = "q-suggestions";
  list.className = "suggestions";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "검색어 제안");
  list.hidden = true;
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  form.appendChild(list);
  form.appendChild(status);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("autocomplete", "off");

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function target(item) {
    var params = new URLSearchParams(item.params);
    return form.getAttribute("action") + "?" + params.toString();
  }

  function show(items) {
    list.textContent = "";
    options = items;
    active = -1;
    items.forEach(function (item, index) {
      var option = document.createElement("li");
      option.id = "q-suggestion-" + index;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.textContent = item.label;
      var kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = item.kind_label + (item.count ? " · " + item.count + "장" : "");
      option.appendChild(kind);
      option.addEventListener("mousedown", function (event) { event.preventDefault(); });
      option.addEventListener("click", function () { window.location.href = target(item); });
      list.appendChild(option);
    });
    list.hidden = items.length === 0;
    input.setAttribute("aria-expanded", items.length ? "true" : "false");
    status.textContent = items.length ? "제안 " + items.length + "개, 위아래 화살표로 고르세요." : "";
  }

  function move(step) {
    if (!options.length) { return; }
    active = (active + step + options.length) % options.length;
    Array.prototype.forEach.call(list.children, function (option, index) {
      option.setAttribute("aria-selected", index === active ? "true" : "false");
    });
    input.setAttribute("aria-activedescendant", "q-suggestion-" + active);
  }

  function ask() {
    var typed = input.value.trim();
    if (typed === asked) { return; }
    asked = typed;
    if (!typed) { show([]); return; }
    var url = input.getAttribute("data-suggest") + "?q=" + encodeURIComponent(typed);
    fetch(url, { headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { suggestions: [] }; })
      .then(function (body) { if (input.value.trim() === typed) { show(body.suggestions); } })
      .catch(function () { show([]); });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, 150);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown") {
      if (list.hidden && options.length) { list.hidden = false; input.setAttribute("aria-expanded", "true"); }
      move(1); event.preventDefault();
    } else if (event.key === "ArrowUp") {
      move(-1); event.preventDefault();
    } else if (event.key === "Enter" && active >= 0 && !list.hidden) {
      event.preventDefault();
      window.location.href = target(options[active]);
    } else if (event.key === "Escape") {
      if (!list.hidden) { close(); event.preventDefault(); }
    }
  });
  input.addEventListener("blur", close);
})();
