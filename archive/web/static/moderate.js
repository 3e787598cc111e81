// Live hints on the review form: how the date and place will be read.
(function () {
  "use strict";
  var form = document.getElementById("review-form");
  if (!form) { return; }
  var url = form.getAttribute("data-hints");
  var date = document.getElementById("date");
  var place = document.getElementById("place");
  var timer = null;
  function show(data) {
    var d = data.date;
    document.getElementById("date-hint").textContent = !date.value ? "" :
      d.ok ? d.start + "~" + d.end + "년 (" + d.edtf + ")" : "읽을 수 없는 시기 표기입니다 (그대로 보관)";
    var names = data.places.map(function (p) { return p.name; });
    document.getElementById("place-hint").textContent = !place.value ? "" :
      names.length ? "지명: " + names.join(", ") : "지명 사전에 없는 장소입니다";
  }
  function ask() {
    var query = "?date=" + encodeURIComponent(date.value) + "&place=" + encodeURIComponent(place.value);
    fetch(url + query, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(show)
      .catch(function () { /* hints are a convenience; the form still works */ });
  }
  [date, place].forEach(function (input) {
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, 250);
    });
  });
}());
