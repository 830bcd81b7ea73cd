/*
 * The dashboard: local trends beside the federation's (GET
 * /api/v1/trends), drawn as SVG — bars for this node's exact counts, a
 * band for the federation's range — and the dossiers with their phases
 * (GET /api/v1/dossiers), where a coordinator can move a dossier to a
 * next phase (POST /api/v1/dossiers/N/phase).
 */
"use strict";

(function () {
  var el = LS.el;
  var SVG = "http://www.w3.org/2000/svg";
  var PHASES = ["opmerken", "verzamelen", "bundelen", "analyseren", "rapporteren", "beslissing", "actie", "feedback"];
  var MAX_CHARTS = 6;
  var themeLabels = {};

  function svg(tag, attrs) {
    var n = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) { n.setAttribute(k, attrs[k]); });
    for (var i = 2; i < arguments.length; i++) if (arguments[i]) n.appendChild(arguments[i]);
    return n;
  }

  function text(x, y, s, cls, anchor) {
    var t = svg("text", { x: x, y: y, class: cls || "as", "text-anchor": anchor || "middle" });
    t.textContent = s;
    return t;
  }

  /* A scale maximum with four whole, round ticks. */
  function niceMax(v) {
    var step = Math.max(1, v / 4);
    var p = Math.pow(10, Math.floor(Math.log10(step)));
    var steps = [1, 2, 5, 10];
    for (var i = 0; i < steps.length; i++) if (steps[i] * p >= step) return 4 * steps[i] * p;
    return 40 * p;
  }

  function shorten(s, n) {
    return s.length > n ? s.slice(0, n - 1) + "…" : s;
  }

  /* The runs of months the federation has a value for (null: no
   * municipality released that month yet — unknown, not zero). */
  function runs(values) {
    var out = [], cur = null;
    values.forEach(function (v, i) {
      if (v === null || v === undefined) { cur = null; return; }
      if (!cur) { cur = []; out.push(cur); }
      cur.push(i);
    });
    return out;
  }

  function known(values) {
    return values.filter(function (v) { return v !== null && v !== undefined; });
  }

  function sum(values) {
    return known(values).reduce(function (a, b) { return a + b; }, 0);
  }

  /* One theme: local bars (left axis) and the federation's band with its
   * midline (right axis), drawn only over the months it is known. */
  function chart(periods, title, local, fedMin, fedMax) {
    var W = 460, H = 220, L = 40, R = 46, T = 28, B = 34;
    var w = W - L - R, h = H - T - B, n = periods.length;
    var lmax = niceMax(Math.max.apply(null, local.concat([1])));
    var fmax = niceMax(Math.max.apply(null, known(fedMax).concat([1])));
    var x = function (i) { return L + (i + 0.5) * w / n; };
    var yl = function (v) { return T + h - v / lmax * h; };
    var yf = function (v) { return T + h - v / fmax * h; };
    var sumLocal = local.reduce(function (a, b) { return a + b; }, 0);
    var root = svg("svg", { viewBox: "0 0 " + W + " " + H, class: "grafiek", role: "img",
      "aria-label": title + ": " + sumLocal + " signalen hier in " + n + " maanden; federatie tussen " +
        sum(fedMin) + " en " + sum(fedMax) + " in de maanden met samenvattingen" });
    var hasFed = known(fedMax).some(function (v) { return v > 0; });
    var head = text(L, 16, shorten(title, 48), "titel", "start");
    var full = svg("title");
    full.textContent = title;
    head.appendChild(full);
    root.appendChild(head);
    for (var k = 0; k <= 4; k++) {
      var gy = T + h - k * h / 4;
      root.appendChild(svg("line", { x1: L, x2: L + w, y1: gy, y2: gy, class: "raster" }));
      root.appendChild(text(L - 6, gy + 4, String(Math.round(lmax * k / 4)), "as lokaal", "end"));
      if (hasFed) root.appendChild(text(L + w + 6, gy + 4, String(Math.round(fmax * k / 4)), "as federatie", "start"));
    }
    var segments = hasFed ? runs(fedMax) : [];
    segments.forEach(function (idx) {
      var top = idx.map(function (i) { return x(i) + "," + yf(fedMax[i]); });
      var bottom = idx.map(function (i) { return x(i) + "," + yf(fedMin[i]); }).reverse();
      root.appendChild(svg("polygon", { points: top.concat(bottom).join(" "), class: "band" }));
    });
    var bw = Math.max(2, w / n * 0.6);
    local.forEach(function (v, i) {
      var r = svg("rect", { x: x(i) - bw / 2, y: yl(v), width: bw, height: Math.max(0, T + h - yl(v)), class: "staaf" });
      var tip = svg("title");
      tip.textContent = periods[i] + ": " + v + " signalen hier";
      r.appendChild(tip);
      root.appendChild(r);
    });
    segments.forEach(function (idx) {
      var pts = idx.map(function (i) { return x(i) + "," + yf((fedMax[i] + fedMin[i]) / 2); });
      if (pts.length === 1) pts.push(pts[0]);
      root.appendChild(svg("polyline", { points: pts.join(" "), class: "lijn" }));
    });
    var every = Math.ceil(n / 6);
    periods.forEach(function (p, i) {
      if ((i % every === 0 && n - 1 - i >= every) || i === n - 1) root.appendChild(text(x(i), H - 12, p, "as"));
    });
    return root;
  }

  function fedText(lo, hi) {
    if (lo === null || lo === undefined) return "– (nog geen samenvattingen)";
    return lo === hi ? String(lo) : lo + "–" + hi;
  }

  function dataTable(periods, local, fedMin, fedMax) {
    return el("details", null, el("summary", { text: "Cijfers" }),
      el("table", { class: "tabel klein" },
        el("thead", null, el("tr", null, el("th", { text: "Maand" }), el("th", { text: "Hier" }), el("th", { text: "Federatie" }))),
        el("tbody", null, periods.map(function (p, i) {
          return el("tr", null, el("td", { text: p }), el("td", { text: String(local[i]) }),
            el("td", { text: fedText(fedMin[i], fedMax[i]) }));
        }))));
  }

  function loadTrends() {
    var months = document.getElementById("maanden").value;
    var theme = document.getElementById("thema-filter").value;
    var until = document.getElementById("tot").value;
    var q = "/api/v1/trends?maanden=" + encodeURIComponent(months) + (theme ? "&thema=" + encodeURIComponent(theme) : "") +
      (/^\d{4}-\d{2}$/.test(until) ? "&tot=" + until : "");
    /* The choice is in the address, so it can be bookmarked. */
    history.replaceState(null, "", "?" + q.split("?")[1]);
    var box = document.getElementById("grafieken");
    LS.api("GET", q).then(function (res) {
      LS.clear(box);
      document.getElementById("trends").hidden = false;
      if (res.status !== 200) { LS.notice(box, "fout", LS.message(res)); return; }
      var d = res.data, byCode = {}, order = [];
      d.lokaal.themas.forEach(function (t) { byCode[t.code] = { label: t.label, local: t.signalen }; order.push(t.code); });
      d.federatie.themas.forEach(function (t) {
        if (!byCode[t.code]) { byCode[t.code] = { label: t.label }; order.push(t.code); }
        byCode[t.code].min = t.min;
        byCode[t.code].max = t.max;
      });
      var zeros = d.perioden.map(function () { return 0; });
      /* A theme the federation did not list: 0 where summaries exist,
       * unknown where none do. */
      var unknown = d.federatie.gemeenten.map(function (g) { return g > 0 ? 0 : null; });
      if (!order.length) {
        box.appendChild(el("p", { class: "leeg", text: "Nog geen signalen in deze periode." }));
        return;
      }
      order.slice(0, theme ? 1 : MAX_CHARTS).forEach(function (code) {
        var t = byCode[code];
        box.appendChild(el("figure", { class: "grafiekvak", "data-thema": code },
          chart(d.perioden, t.label, t.local || zeros, t.min || unknown, t.max || unknown),
          el("figcaption", null, dataTable(d.perioden, t.local || zeros, t.min || unknown, t.max || unknown))));
      });
      box.appendChild(el("p", { class: "hint", text: "Federatie: " + d.federatie.documenten + " samenvattingen van " +
        Math.max.apply(null, d.federatie.gemeenten.concat([0])) + " gemeenten." }));
    });
  }

  function detail(nr) {
    var box = document.getElementById("dossierdetail");
    LS.api("GET", "/api/v1/dossiers/" + nr).then(function (res) {
      LS.clear(box);
      box.hidden = false;
      if (res.status !== 200) { LS.notice(box, "fout", LS.message(res)); return; }
      var d = res.data;
      box.appendChild(el("h3", { text: "Dossier " + d.nr + ": " + d.titel }));
      box.appendChild(el("p", { text: "Trekker " + d.trekker + " · fase " + d.fase + " · criteria: " + (d.criteria.join(", ") || "nog geen") +
        " · " + d.signalen.length + " signalen · thema's: " + d.thema.map(function (c) { return themeLabels[c] || c; }).join(", ") }));
      if (d.volgende_fasen.length) {
        var note = el("input", { type: "text", id: "fasenotitie", maxlength: "4000", placeholder: "notitie (optioneel)" });
        box.appendChild(el("div", { class: "knoppen" }, el("label", { for: "fasenotitie", text: "Naar fase:" }), note,
          d.volgende_fasen.map(function (f) {
            return el("button", { type: "button", class: "knop klein", text: f, onclick: function () {
              var body = { fase: f };
              if (note.value.trim()) body.notitie = note.value.trim();
              LS.api("POST", "/api/v1/dossiers/" + d.nr + "/phase", body).then(function (r) {
                if (r.status === 200) { loadDossiers(); detail(d.nr); } else LS.notice(box, "fout", LS.message(r));
              });
            } });
          })));
      }
      box.appendChild(el("h4", { text: "Geschiedenis" }));
      box.appendChild(el("ol", { class: "lijst" }, d.geschiedenis.map(function (ev) {
        var what = ev.soort === "fase" ? ev.van + " → " + ev.naar : ev.soort;
        return el("li", null, el("time", { text: LS.dateTime(ev.op) }), " " + what + (ev.door ? " door " + ev.door : "") + (ev.notitie ? ": " + ev.notitie : ""));
      })));
      if (d.acties.length) {
        box.appendChild(el("h4", { text: "Acties" }));
        box.appendChild(el("ul", { class: "lijst" }, d.acties.map(function (a) {
          return el("li", { text: a.wat + " (" + a.wie + (a.tegen ? ", tegen " + a.tegen : "") + ")" + (a.resultaat ? " — " + a.resultaat : "") });
        })));
      }
      box.focus();
    });
  }

  function loadDossiers() {
    LS.api("GET", "/api/v1/dossiers").then(function (res) {
      var section = document.getElementById("dossiers");
      var body = document.querySelector("#dossierlijst tbody");
      var phases = document.getElementById("fasen");
      section.hidden = false;
      LS.clear(body);
      LS.clear(phases);
      if (res.status !== 200) { LS.notice(section, "fout", LS.message(res)); return; }
      var counts = {};
      res.data.dossiers.forEach(function (d) { counts[d.fase] = (counts[d.fase] || 0) + 1; });
      PHASES.forEach(function (p) {
        phases.appendChild(el("li", { class: counts[p] ? "bezet" : null }, el("span", { class: "aantal", text: String(counts[p] || 0) }), el("span", { text: p })));
      });
      if (!res.data.dossiers.length) body.appendChild(el("tr", null, el("td", { colspan: "8", text: "Nog geen dossiers." })));
      res.data.dossiers.forEach(function (d) {
        body.appendChild(el("tr", null,
          el("td", null, el("button", { type: "button", class: "link", text: String(d.nr), "aria-label": "Dossier " + d.nr + " openen", onclick: function () { detail(d.nr); } })),
          el("td", { text: d.titel }), el("td", { text: d.trekker }), el("td", null, el("span", { class: "fase", text: d.fase })),
          el("td", { text: d.criteria.length + "/4" }), el("td", { text: String(d.aantal_signalen) }),
          el("td", { text: String(d.aantal_acties) }), el("td", { text: LS.dateTime(d.bijgewerkt_op) })));
      });
    });
  }

  LS.start("coordinator", function () {
    LS.api("GET", "/api/v1/taxonomy").then(function (res) {
      if (res.status === 200) {
        var sel = document.getElementById("thema-filter");
        res.data.thema.filter(function (t) { return !t.lokaal; }).sort(function (a, b) { return a.label.localeCompare(b.label, "nl"); })
          .forEach(function (t) { themeLabels[t.code] = t.label; sel.appendChild(el("option", { value: t.code, text: t.label })); });
      }
      var start = new URLSearchParams(window.location.search);
      if (/^\d{4}-\d{2}$/.test(start.get("tot") || "")) document.getElementById("tot").value = start.get("tot");
      if (["6", "12", "24", "36"].indexOf(start.get("maanden")) >= 0) document.getElementById("maanden").value = start.get("maanden");
      if (start.get("thema") && themeLabels[start.get("thema")]) document.getElementById("thema-filter").value = start.get("thema");
      document.getElementById("tot").addEventListener("change", loadTrends);
      document.getElementById("maanden").addEventListener("change", loadTrends);
      document.getElementById("thema-filter").addEventListener("change", loadTrends);
      loadTrends();
      loadDossiers();
    });
  });
})();
