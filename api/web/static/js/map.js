// Versorgungskarte: draws the Sozialräume from the page's JSON block with Leaflet (SVG
// renderer, no tile server needed). The table on the page holds the same figures; without
// JavaScript the page shows only the table, so the map stays hidden until this runs.
(function () {
  "use strict";

  function text(tag, className, content) {
    var element = document.createElement(tag);
    if (className) { element.className = className; }
    element.textContent = content;
    return element;
  }

  function details(area, category) {
    var box = document.createDocumentFragment();
    box.appendChild(text("h3", "kern-heading-small", area.name));
    if (area.unit) {
      box.appendChild(text("p", "kern-body kern-body--small vb-meta", "Werte des Stadtbezirks " + area.unit));
    }
    var list = document.createElement("dl");
    list.className = "vb-figures";
    [
      ["Leistungsbereich", category],
      ["Einstufung", area.band],
      ["Haushalte mit Bedarf", area.households],
      ["Plätze je Haushalt", area.ratio],
      ["Erreichbare Angebote", area.services === null ? "–" : String(area.services)]
    ].forEach(function (pair) {
      list.appendChild(text("dt", "", pair[0]));
      list.appendChild(text("dd", "", pair[1]));
    });
    box.appendChild(list);
    return box;
  }

  function start() {
    var source = document.getElementById("karte-daten");
    var container = document.querySelector("[data-map]");
    if (!source || !container || typeof L === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    if (!data.areas.length) { return; }
    container.hidden = false;
    document.querySelectorAll("[data-map-hint], [data-map-details]").forEach(function (el) {
      el.hidden = false;
    });
    var panel = document.querySelector("[data-map-details]");
    var map = L.map(container, {
      renderer: L.svg(),
      attributionControl: Boolean(data.tiles),
      zoomControl: false,
      zoomSnap: 0.25
    });
    L.control.zoom({ zoomInTitle: "Vergrößern", zoomOutTitle: "Verkleinern" }).addTo(map);
    if (data.tiles) {
      L.tileLayer(data.tiles, { maxZoom: 18 }).addTo(map);
    }
    var selected = null;
    var all = L.featureGroup();
    var drawn = [];

    function show(area, layer) {
      if (selected) { selected.setStyle({ weight: 1, color: "#3f4a5a" }); }
      selected = layer;
      layer.setStyle({ weight: 3, color: "#0b2a5c" });
      layer.bringToFront();
      panel.replaceChildren(details(area, data.category));
    }

    data.areas.forEach(function (area) {
      var layer = L.geoJSON({ type: "Feature", geometry: area.geometry, properties: {} }, {
        style: { color: "#3f4a5a", weight: 1, fillColor: area.colour, fillOpacity: 0.85 }
      });
      layer.bindTooltip(area.name + ": " + area.band, { sticky: true });
      layer.on("click", function () { show(area, layer); });
      layer.addTo(all);
      drawn.push([area, layer]);
    });
    // Leaflet draws layers only once the map has a view: the view first, then the shapes.
    map.fitBounds(all.getBounds(), { padding: [8, 8] });
    all.addTo(map);
    drawn.forEach(function (pair) {
      var area = pair[0];
      var layer = pair[1];
      // Each shape is reachable by keyboard: Tab focuses it (the tooltip names it), Enter
      // or Space shows its figures, as a click does.
      layer.eachLayer(function (shape) {
        var path = shape.getElement && shape.getElement();
        if (!path) { return; }
        path.setAttribute("tabindex", "0");
        path.setAttribute("role", "button");
        path.setAttribute("aria-label", area.name + ": " + area.band);
        path.setAttribute("data-area", area.id);
        path.addEventListener("focus", function () { layer.openTooltip(shape.getCenter()); });
        path.addEventListener("blur", function () { layer.closeTooltip(); });
        path.addEventListener("keydown", function (event) {
          if (event.key === "Enter" || event.key === " ") {
            event.preventDefault();
            show(area, layer);
          }
        });
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
