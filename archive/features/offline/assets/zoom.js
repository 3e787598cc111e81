// Deep zoom in the offline copy: OpenSeadragon over the copied IIIF tiles (the tile
// source comes from a script, as browsers refuse fetch over file://).
(function () {
  "use strict";
  var button = document.getElementById("zoom-open");
  var box = document.getElementById("zoom");
  if (!button || !box || !window.OpenSeadragon || !window.NAJU_ZOOM) { return; }
  button.hidden = false;
  button.addEventListener("click", function () {
    box.hidden = false;
    button.hidden = true;
    var image = document.getElementById("image");
    if (image) { image.hidden = true; }
    var viewer = window.OpenSeadragon({
      element: box,
      tileSources: [window.NAJU_ZOOM],
      showNavigationControl: false,
      showNavigator: false
    });
    var controls = document.getElementById("zoom-controls");
    controls.hidden = false;
    controls.addEventListener("click", function (event) {
      var action = event.target.getAttribute("data-zoom");
      if (action === "in") { viewer.viewport.zoomBy(1.5); }
      if (action === "out") { viewer.viewport.zoomBy(1 / 1.5); }
      if (action === "home") { viewer.viewport.goHome(); }
    });
  });
}());
