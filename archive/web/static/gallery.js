// Arrow keys for the previous/next photo (not while the zoom viewer or a field has focus),
// and the button that copies the attribution text.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    var target = event.target || {};
    var tag = target.tagName || "";
    if (tag === "INPUT" || tag === "TEXTAREA" || (target.closest && target.closest(".viewer"))) {
      return;
    }
    var link = event.key === "ArrowLeft" ? document.getElementById("prev")
      : event.key === "ArrowRight" ? document.getElementById("next") : null;
    if (link) { window.location.href = link.href; }
  });
  document.querySelectorAll("[data-copy]").forEach(function (copy) {
    var source = document.getElementById(copy.getAttribute("data-copy"));
    var status = document.getElementById(copy.getAttribute("aria-describedby"));
    copy.hidden = false;
    copy.addEventListener("click", function () {
      source.select();
      var done = function () { if (status) { status.textContent = "복사했습니다."; } };
      if (navigator.clipboard) {
        navigator.clipboard.writeText(source.value).then(done, function () {
          if (status) { status.textContent = "복사하지 못했습니다. 글을 직접 선택해 복사해 주세요."; }
        });
      } else if (document.execCommand("copy")) {
        done();
      }
    });
  });
  // On phones the result filters start folded above the results (open without JavaScript).
  var facets = document.getElementById("facets");
  if (facets && window.matchMedia && window.matchMedia("(max-width: 40rem)").matches) {
    facets.open = false;
  }
  // The phone's share sheet (KakaoTalk, Band, messages) where the browser offers one.
  document.querySelectorAll("[data-share-url]").forEach(function (button) {
    if (!navigator.share) { return; }
    var status = document.getElementById(button.getAttribute("aria-describedby"));
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.share({
        title: button.getAttribute("data-share-title"),
        url: button.getAttribute("data-share-url")
      }).catch(function (error) {
        if (status && error && error.name !== "AbortError") {
          status.textContent = "공유하지 못했습니다. 링크 복사를 눌러 주세요.";
        }
      });
    });
  });
}());
