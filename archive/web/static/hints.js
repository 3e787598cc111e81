// Live hints: how a date and a place will be read, as the person types.
// Inputs carry data-hint="date" | "place" | "field" (the chosen field radio decides) and
// data-hint-target (the id of the hint paragraph). The form works without this script.
(function () {
  "use strict";
  var form = document.querySelector("form[data-hints]");
  if (!form) { return; }
  var url = form.getAttribute("data-hints");
  var inputs = form.querySelectorAll("[data-hint]");
  var staff = form.hasAttribute("data-hints-staff");  // staff also see the EDTF
  var timer = null;

  function kindOf(input) {
    var kind = input.getAttribute("data-hint");
    if (kind !== "field") { return kind; }
    var chosen = form.querySelector("input[name='field']:checked");
    return chosen ? chosen.value : "";
  }

  function sentence(kind, data) {
    if (kind === "date") {
      var d = data.date;
      if (staff) {
        return d.ok ? d.start + "~" + d.end + "년 (" + d.edtf + ")"
          : "읽을 수 없는 시기 표기입니다 (그대로 보관)";
      }
      return d.ok ? "이렇게 읽힙니다: " + d.start + "~" + d.end + "년"
        : "시기로 읽을 수 없지만 적으신 그대로 전해집니다.";
    }
    var names = data.places.map(function (p) { return p.name; });
    if (staff) {
      return names.length ? "지명: " + names.join(", ") : "지명 사전에 없는 장소입니다";
    }
    return names.length ? "알아본 지명: " + names.join(", ")
      : "지명 사전에 없는 곳이지만 적으신 그대로 전해집니다.";
  }

  function show(input) {
    var target = document.getElementById(input.getAttribute("data-hint-target"));
    if (!target) { return; }
    if (!target.hasAttribute("data-default")) {
      target.setAttribute("data-default", target.textContent);
    }
    var kind = kindOf(input);
    var text = input.value.trim();
    if ((kind !== "date" && kind !== "place") || !text) {
      target.textContent = target.getAttribute("data-default");
      return;
    }
    var query = "?" + kind + "=" + encodeURIComponent(text.slice(0, 200));
    fetch(url + query, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) { target.textContent = sentence(kind, data); })
      .catch(function () { /* hints are a convenience; the form still works */ });
  }

  function later(input) {
    clearTimeout(timer);
    timer = setTimeout(function () { show(input); }, 250);
  }

  Array.prototype.forEach.call(inputs, function (input) {
    input.addEventListener("input", function () { later(input); });
  });
  // A suggestion's field decides how its text is read and how long it may be.
  Array.prototype.forEach.call(form.querySelectorAll("input[name='field']"), function (radio) {
    radio.addEventListener("change", function () {
      Array.prototype.forEach.call(inputs, function (input) {
        if (input.getAttribute("data-hint") !== "field") { return; }
        if (radio.getAttribute("data-limit")) {
          input.setAttribute("maxlength", radio.getAttribute("data-limit"));
        }
        show(input);
      });
    });
  });
}());
