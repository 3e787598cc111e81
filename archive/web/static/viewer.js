// Deep zoom on the photo page: OpenSeadragon over the photo's IIIF level-0 tiles.
// The page shows the web image first (and without JavaScript, a link to a larger view);
// "확대해서 보기" loads the viewer in its place. Pinch and double-tap zoom on phones,
// wheel and drag on desktops; keys + and - zoom, arrows pan, 0 goes back to the whole photo.
(function () {
  "use strict";
  var figure = document.getElementById("viewer");
  if (!figure) { return; }
  var images = JSON.parse(figure.getAttribute("data-images") || "[]");
  var script = figure.getAttribute("data-script");
  if (!images.length || !script) { return; }
  var still = figure.querySelector(".still");
  var viewer = null;
  var current = 0;

  function button(label, text, action) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "tool";
    b.setAttribute("aria-label", label);
    b.textContent = text;
    b.addEventListener("click", action);
    return b;
  }

  function toolbar() {
    var bar = document.createElement("div");
    bar.className = "viewer-tools";
    bar.setAttribute("role", "toolbar");
    bar.setAttribute("aria-label", "확대 보기 도구");
    bar.appendChild(button("확대", "+", function () { zoom(1.6); }));
    bar.appendChild(button("축소", "−", function () { zoom(1 / 1.6); }));
    bar.appendChild(button("사진 전체 보기", "전체 보기", function () { viewer.viewport.goHome(); }));
    bar.appendChild(button("전체 화면", "전체 화면", function () {
      viewer.setFullScreen(!viewer.isFullPage());
    }));
    if (images.length > 1) {
      images.forEach(function (image, index) {
        var b = button(image.label + " 보기", image.label, function () { show(index); });
        b.className = "tool side";
        b.setAttribute("aria-pressed", index === current ? "true" : "false");
        bar.appendChild(b);
      });
    }
    bar.appendChild(button("확대 보기 닫기", "닫기", close));
    return bar;
  }

  function zoom(factor) {
    viewer.viewport.zoomBy(factor);
    viewer.viewport.applyConstraints();
  }

  function show(index) {
    current = index;
    figure.removeAttribute("data-ready");
    viewer.open(images[index].info);
    figure.querySelectorAll(".tool.side").forEach(function (b, i) {
      b.setAttribute("aria-pressed", i === index ? "true" : "false");
    });
    figure.setAttribute("data-showing", images[index].label);
  }

  function start() {
    var stage = document.createElement("div");
    stage.className = "osd";
    stage.id = "osd";
    stage.setAttribute("role", "application");
    stage.setAttribute("aria-roledescription", "확대 보기");
    stage.setAttribute("aria-label", "사진 확대 보기: + 확대, − 축소, 화살표 이동, 0 처음 크기");
    figure.insertBefore(toolbar(), still);
    figure.insertBefore(stage, still);
    fit(stage, images[current]);
    still.hidden = true;
    figure.classList.add("zooming");
    viewer = window.OpenSeadragon({
      element: stage,
      tileSources: images[current].info,
      drawer: "canvas",
      showNavigationControl: false,
      showNavigator: false,
      maxZoomPixelRatio: 2,
      visibilityRatio: 0.5,
      gestureSettingsTouch: { pinchToZoom: true, dblClickToZoom: true, flickEnabled: true },
      gestureSettingsMouse: { scrollToZoom: true, clickToZoom: false, dblClickToZoom: true }
    });
    viewer.addHandler("open", function () { figure.setAttribute("data-ready", "true"); });
    figure.setAttribute("data-showing", images[current].label);
    var canvas = stage.querySelector(".openseadragon-canvas");
    if (canvas) { canvas.focus(); }
  }

  // As tall as the photo at the page's width, but never under half or over 78% of the screen.
  function fit(stage, image) {
    var tall = stage.clientWidth * image.height / image.width;
    var screen = window.innerHeight;
    stage.style.height = Math.round(Math.max(screen * 0.5, Math.min(screen * 0.78, tall))) + "px";
  }

  function close() {
    if (viewer) { viewer.destroy(); viewer = null; }
    figure.querySelectorAll(".viewer-tools, .osd").forEach(function (node) { node.remove(); });
    figure.classList.remove("zooming");
    figure.removeAttribute("data-ready");
    still.hidden = false;
    opener.focus();
  }

  function open(event) {
    if (event) { event.preventDefault(); }
    if (viewer) { return; }
    if (window.OpenSeadragon) { start(); return; }
    var tag = document.createElement("script");
    tag.src = script;
    tag.onload = start;
    document.head.appendChild(tag);
  }

  // The page holds the button's place (invisible until now), so showing it moves nothing.
  var opener = figure.querySelector(".open-viewer");
  if (opener) {
    opener.addEventListener("click", open);
  } else {
    opener = button("사진을 확대해서 보기", "확대해서 보기", open);
    opener.className = "open-viewer";
    figure.querySelector(".viewer-actions").prepend(opener);
  }
  opener.classList.remove("pending");
  still.addEventListener("click", open);
}());
