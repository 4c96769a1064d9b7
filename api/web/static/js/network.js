// verbund: das Kooperationsnetz mit Cytoscape.js. The page works without this script (the
// tables list every Träger and Verbindung); this draws the picture from the page's JSON block,
// lets the year slider filter the agreements live, opens a Träger's Umfeld on click and saves
// the picture as PNG.
(function () {
  "use strict";

  function covers(span, year) {
    return (span[0] === null || span[0] <= year) && (span[1] === null || year <= span[1]);
  }

  function validIn(edge, year) {
    if (!edge.hasClass("agreement")) { return true; }
    return edge.data("spans").some(function (span) { return covers(span, year); });
  }

  var STYLE = [
    { selector: "node", style: {
      "background-color": "data(colour)", "label": "data(label)", "width": "data(size)",
      "height": "data(size)", "border-width": 1, "border-color": "#1b1b1b",
      "font-size": 14, "color": "#1b1b1b", "text-valign": "bottom", "text-margin-y": 3,
      "text-wrap": "wrap", "text-max-width": 150, "text-background-color": "#ffffff",
      "text-background-opacity": 0.75, "text-background-padding": 1
    } },
    { selector: "node.articulation_point", style: { "border-width": 5, "border-color": "#c00000" } },
    { selector: "node.isolated", style: { "border-style": "dashed", "border-width": 2 } },
    { selector: "edge", style: {
      "width": 2, "line-color": "#3f4a5a", "curve-style": "bezier", "opacity": 0.85
    } },
    { selector: "edge.network", style: {
      "line-style": "dashed", "line-dash-pattern": [5, 4], "line-color": "#8a96a8", "width": 1.5
    } },
    { selector: "edge.bridge", style: { "line-color": "#c00000", "width": 4 } },
    { selector: "edge.suggestion", style: {
      "line-style": "dashed", "line-dash-pattern": [2, 4], "line-color": "#d35f00", "width": 3
    } },
    { selector: ".vb-hidden", style: { "display": "none" } },
    { selector: "node:selected", style: { "overlay-color": "#0b2a5c", "overlay-opacity": 0.2 } }
  ];

  function draw(container, data) {
    var cy = window.cytoscape({
      container: container,
      elements: data.elements,
      style: STYLE,
      layout: { name: "preset", fit: true, padding: 40 },
      minZoom: 0.2,
      maxZoom: 4,
      boxSelectionEnabled: false
    });
    container.dataset.drawnNodes = String(cy.nodes().length);
    return cy;
  }

  function showYear(cy, year) {
    var shown = 0;
    cy.edges().forEach(function (edge) {
      var visible = validIn(edge, year);
      edge.toggleClass("vb-hidden", !visible);
      var row = document.querySelector('[data-edge="' + edge.id() + '"]');
      if (row) { row.hidden = !visible; }
      if (visible && !edge.hasClass("suggestion")) { shown += 1; }
    });
    document.querySelectorAll("[data-year-output]").forEach(function (el) {
      el.textContent = String(year);
    });
    document.querySelectorAll("[data-edge-count]").forEach(function (el) {
      el.textContent = shown === 1 ? "1 Verbindung" : shown.toLocaleString("de-DE") + " Verbindungen";
    });
    document.querySelectorAll("a[data-keeps-year]").forEach(function (link) {
      var url = new URL(link.href, window.location.href);
      url.searchParams.set("jahr", String(year));
      link.href = url.pathname + url.search;
    });
    cy.container().dataset.drawnEdges = String(shown);
  }

  function savePng(cy) {
    var blob = cy.png({ output: "blob", bg: "#ffffff", full: true, scale: 2 });
    var link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = "kooperationsnetz.png";
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var container = document.querySelector("[data-network]");
    var source = document.getElementById("netzdaten");
    if (!container || !source || typeof window.cytoscape !== "function") { return; }
    container.textContent = "";
    var data = JSON.parse(source.textContent);
    var cy = draw(container, data);
    var slider = document.querySelector("[data-year-slider]");
    showYear(cy, data.year);
    if (slider) {
      slider.addEventListener("input", function () { showYear(cy, Number(slider.value)); });
    }
    cy.on("tap", "node", function (event) {
      var url = new URL(window.location.href);
      url.searchParams.set("traeger", event.target.id());
      if (slider) { url.searchParams.set("jahr", slider.value); }
      window.location.assign(url.pathname + url.search);
    });
    var button = document.querySelector("[data-network-png]");
    if (button) {
      button.hidden = false;
      button.addEventListener("click", function () { savePng(cy); });
    }
    window.verbundNetwork = cy;
  });
})();
