/*
 * The dashboard: the federation's priorities ranked exactly as
 * `signaalctl trends` ranks them (GET /api/v1/trends: the same window,
 * score, explanations and levels — theme, theme x age band, theme x
 * target group, youth), a chart per leading item on one honest scale
 * (the federation's range as a band, its middle as a line, the fitted
 * trend of the growth window dashed, and for a rise that comes from one
 * municipality that municipality's own line), this node's own signals in
 * a separate chart with its own scale (only when it has any), and the
 * dossiers with their phases (GET /api/v1/dossiers), where a coordinator
 * can move a dossier to another phase with the reason, which the history
 * keeps (POST /api/v1/dossiers/N/phase, as the workbench on /dossiers).
 */
"use strict";

(function () {
  var el = LS.el;
  var SVG = "http://www.w3.org/2000/svg";
  var MAX_CHARTS = 6;
  var MONTHS = ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"];
  /* x labels at 11px: a width per character wider than any digit or
   * lowercase letter of a system sans-serif (as core/chart.c) */
  var CHAR_PX = 6.8, LABEL_GAP = 6;
  var BLUE = "#1f5f8b", WARM = "#9a4a12", INK = "#1b2227", GREY = "#5b6770";
  var themeLabels = {};
  /* what the user chose (the rest are the node's defaults) */
  var chosen = {};

  function svg(tag, attrs) {
    var n = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) { n.setAttribute(k, attrs[k]); });
    for (var i = 2; i < arguments.length; i++) if (arguments[i]) n.appendChild(arguments[i]);
    return n;
  }

  function text(x, y, s, attrs) {
    var a = { x: x, y: y, "font-size": 11, fill: GREY, "text-anchor": "middle" };
    Object.keys(attrs || {}).forEach(function (k) { a[k] = attrs[k]; });
    var t = svg("text", a);
    t.textContent = s;
    return t;
  }

  /* A "nice" axis top for values up to max: 1, 2, 2.5 or 5 times a power
   * of ten per step, four steps or so, whole numbers (core/chart.c). */
  function axis(max) {
    if (!(max > 0)) return { top: 4, step: 1 };
    var raw = max / 4, mag = Math.pow(10, Math.floor(Math.log10(raw))), step = 10 * mag;
    [1, 2, 2.5, 5, 10].some(function (f) { if (f * mag >= raw) { step = f * mag; return true; } return false; });
    step = Math.max(1, step);
    var top = Math.ceil(max / step) * step;
    return { top: top, step: step };
  }

  function monthLabel(p) {
    var m = /^(\d{4})-(\d{2})$/.exec(p);
    return m ? MONTHS[Number(m[2]) - 1] + " " + m[1] : p;
  }

  function nl(n) { return Math.round(n).toLocaleString("nl-BE"); }

  function range(v) {
    if (v === null || v === undefined) return "–";
    return v.min === v.max ? nl(v.min) : nl(v.min) + "–" + nl(v.max);
  }

  /* A federation total as a reader sees it: "41 (40–42)" (the value with
   * its small noise, then the 90% interval), else a range. */
  function fedValue(v) {
    if (v === null || v === undefined) return "–";
    if (v.ruis === undefined) return range(v);
    var x = Math.min(v.max, Math.max(v.min, v.ruis));
    return nl(x) + " (" + nl(v.min) + "–" + nl(v.max) + ")";
  }

  /* The window total of an item: the federation summaries' total with how
   * many municipalities are in it, or the sum of the municipalities'
   * ranges where no month has a federation summary. */
  function scaleText(it) {
    var f = it.federatie;
    if (f && f.perioden > 0) return f.signalen_tekst;
    return range(it.omvang.signalen) + " (som van bereiken)";
  }

  function pct(g) {
    if (!g || !g.berekend) return "–";
    var v = Math.round(g.groei_pct);
    return v > 0 ? "+" + v + "%" : v < 0 ? "−" + Math.abs(v) + "%" : "0%";
  }

  function itemName(it) {
    return it.uitsplitsing_label ? it.thema_label + " — " + it.uitsplitsing_label : it.thema_label;
  }

  function localTown(it) {
    return it.gemeenten && it.gemeenten.stijging_uit_een_gemeente ? it.gemeenten.zwakste_schakel_naam : null;
  }

  /* The x labels: every k-th period so that no two boxes touch, the
   * first and the last always (the last wins over its neighbour). */
  function xLabels(root, periods, x, y, width) {
    var n = periods.length, labels = periods.map(monthLabel);
    var wmax = Math.max.apply(null, labels.map(function (l) { return l.length * CHAR_PX; }));
    var dx = n > 1 ? x(1) - x(0) : width, k = 1;
    while (n > 1 && k < n && dx * k < wmax + LABEL_GAP) k++;
    function box(i) {
      var w = labels[i].length * CHAR_PX, a = n > 1 && i === n - 1 ? "end" : n > 1 && i === 0 ? "start" : "middle";
      var x0 = a === "start" ? x(i) : a === "end" ? x(i) - w : x(i) - w / 2;
      return { a: a, x0: x0, x1: x0 + w };
    }
    var right = -1e9, last = box(n - 1), placed = 0;
    for (var i = 0; i < n; i++) {
      if (i % k !== 0 && i !== n - 1) continue;
      var b = box(i);
      if (i !== n - 1 && b.x1 + LABEL_GAP > last.x0) continue;
      if (placed && b.x0 < right + LABEL_GAP) continue;
      root.appendChild(text(x(i), y, labels[i], { "text-anchor": b.a, class: "xlabel" }));
      right = b.x1;
      placed++;
    }
  }

  /* The frame of a chart: y grid and ticks on one scale, x labels. */
  function frame(root, periods, geo, top, step, unit) {
    for (var v = 0; v <= top + step / 2; v += step) {
      var gy = geo.y(v);
      root.appendChild(svg("line", { x1: geo.L, x2: geo.L + geo.w, y1: gy, y2: gy, stroke: v === 0 ? "#888888" : "#e3e3e3", "stroke-width": 1 }));
      root.appendChild(text(geo.L - 6, gy + 4, nl(v), { "text-anchor": "end" }));
    }
    root.appendChild(text(12, geo.T + geo.h / 2, unit, { transform: "rotate(-90 12 " + (geo.T + geo.h / 2) + ")" }));
    xLabels(root, periods, geo.x, geo.T + geo.h + 16, geo.w);
  }

  /* One ranked item over the window, on one scale: the federation's range
   * as a band with its middle as a line, the fitted trend of the growth
   * window dashed (what the explanation's percentage is about), and, for
   * a rise from one municipality, that municipality's line. */
  function itemChart(d, it) {
    var periods = d.perioden, n = periods.length, town = localTown(it);
    var W = 640, H = town ? 262 : 240, L = 56, R = 16, T = 12, B = town ? 56 : 34;
    var w = W - L - R, h = H - T - B;
    var cover = d.federatie.gemeenten;
    var pts = it.reeks.map(function (p, i) {
      return cover[i] > 0 ? { lo: p.signalen.min, hi: p.signalen.max, fed: p.federatie_gemeenten || 0, v: p.signalen } : null;
    });
    var own = town ? it.reeks.map(function (p, i) {
      return cover[i] > 0 && p.signalen_gemeente ? { lo: p.signalen_gemeente.min, hi: p.signalen_gemeente.max } : null;
    }) : [];
    var win = d.rangschikking.venster, g0 = n - win.groei_perioden, g = it.groei, fit = null;
    if (g && g.berekend && g0 >= 0 && g0 < n - 1) {
      var half = g.helling * (n - 1 - g0) / 2;
      fit = [g.niveau - half, g.niveau + half];
    }
    var max = 0;
    pts.concat(own).forEach(function (p) { if (p && p.hi > max) max = p.hi; });
    if (fit) max = Math.max(max, fit[0], fit[1]);
    var ax = axis(max);
    var geo = { L: L, T: T, w: w, h: h,
      x: function (i) { return L + (n > 1 ? i * w / (n - 1) : w / 2); },
      y: function (v) { return T + h - h * v / ax.top; } };
    var name = itemName(it);
    var root = svg("svg", { viewBox: "0 0 " + W + " " + H, width: W, height: H, class: "grafiek trend", role: "img",
      "font-family": "system-ui, sans-serif", "aria-label": it.rang + ". " + name + ": signalen per maand in de federatie, " +
        range(it.omvang.signalen) + " over de periode. " + it.uitleg });
    var t = svg("title");
    t.textContent = name + ": signalen per maand in de federatie";
    root.appendChild(t);
    if (fit) {
      var xs = geo.x(g0) - (n > 1 ? w / (n - 1) / 2 : 0);
      xs = Math.max(L, xs);
      root.appendChild(svg("rect", { class: "groeivenster", x: xs, y: T, width: L + w - xs, height: h, fill: "#f1efe8" }));
      root.appendChild(text(xs + 4, T + 11, "groeivenster", { "text-anchor": "start", "font-size": 10, fill: "#6b6658" }));
    }
    frame(root, periods, geo, ax.top, ax.step, "signalen per maand");
    function series(list, color, cls) {
      var run = [];
      function flush() {
        if (!run.length) return;
        if (run.some(function (i) { return list[i].hi > list[i].lo; })) {
          var up = run.map(function (i) { return geo.x(i) + "," + geo.y(list[i].hi); });
          var down = run.map(function (i) { return geo.x(i) + "," + geo.y(list[i].lo); }).reverse();
          root.appendChild(svg("polygon", { class: "bereik", points: up.concat(down).join(" "), fill: color, "fill-opacity": 0.22 }));
        }
        var mid = run.map(function (i) { return geo.x(i) + "," + geo.y((list[i].lo + list[i].hi) / 2); });
        if (mid.length === 1) mid.push(mid[0]);
        root.appendChild(svg("polyline", { class: cls, points: mid.join(" "), fill: "none", stroke: color, "stroke-width": 2 }));
        run.forEach(function (i) {
          var c = svg("circle", { cx: geo.x(i), cy: geo.y((list[i].lo + list[i].hi) / 2), r: 2.6,
            fill: list[i].hi > list[i].lo ? "#ffffff" : color, stroke: color, "stroke-width": 1.2 });
          var tip = svg("title");
          tip.textContent = periods[i] + ": " + (list[i].fed > 0
            ? fedValue(list[i].v) + " signalen, federatietotaal van " + list[i].fed + " gemeenten"
            : range({ min: list[i].lo, max: list[i].hi }) + " signalen" + (list[i].v ? " (som van bereiken)" : ""));
          c.appendChild(tip);
          root.appendChild(c);
        });
        run = [];
      }
      list.forEach(function (p, i) { if (p) run.push(i); else flush(); });
      flush();
    }
    series(pts, BLUE, "federatie");
    if (town) series(own, WARM, "gemeente");
    if (fit) {
      /* cut where it crosses zero: a count is never negative */
      var xa = geo.x(g0), xb = geo.x(n - 1), y0 = fit[0], y1 = fit[1];
      if (y0 < 0 && y1 > 0) { xa += (xb - xa) * -y0 / (y1 - y0); y0 = 0; }
      if (y1 < 0 && y0 > 0) { xb = xa + (xb - xa) * y0 / (y0 - y1); y1 = 0; }
      if (y0 >= 0 && y1 >= 0) {
        root.appendChild(svg("line", { class: "fit", x1: xa, y1: geo.y(y0), x2: xb, y2: geo.y(y1), stroke: INK,
          "stroke-width": 1.5, "stroke-dasharray": "5 4" }));
      }
    }
    if (town) {
      [["alle gemeenten", BLUE], [town, WARM]].forEach(function (l, k) {
        var lx = L + k * 160;
        root.appendChild(svg("rect", { x: lx, y: H - 16, width: 14, height: 4, fill: l[1] }));
        root.appendChild(text(lx + 18, H - 11, l[0], { "text-anchor": "start", fill: "#333333" }));
      });
    }
    return root;
  }

  /* This node's own signals of a theme: exact counts as bars, on a scale
   * of their own, in a chart of their own. */
  function localChart(periods, label, counts) {
    var W = 640, H = 150, L = 56, R = 16, T = 12, B = 34, n = periods.length;
    var w = W - L - R, h = H - T - B;
    var ax = axis(Math.max.apply(null, counts.concat([0])));
    var geo = { L: L, T: T, w: w, h: h,
      x: function (i) { return L + (n > 1 ? i * w / (n - 1) : w / 2); },
      y: function (v) { return T + h - h * v / ax.top; } };
    var total = counts.reduce(function (a, b) { return a + b; }, 0);
    var root = svg("svg", { viewBox: "0 0 " + W + " " + H, width: W, height: H, class: "grafiek lokaal", role: "img",
      "font-family": "system-ui, sans-serif", "aria-label": label + ": " + total + " eigen signalen hier in " + n + " maanden" });
    var t = svg("title");
    t.textContent = label + ": eigen signalen van dit knooppunt";
    root.appendChild(t);
    frame(root, periods, geo, ax.top, ax.step, "hier");
    var bw = Math.max(2, (n > 1 ? w / (n - 1) : w) * 0.6);
    counts.forEach(function (v, i) {
      if (!(v > 0)) return; /* nothing to draw; the axis says 0 */
      var r = svg("rect", { class: "staaf", x: geo.x(i) - bw / 2, y: geo.y(v), width: bw, height: Math.max(0, T + h - geo.y(v)), fill: BLUE });
      var tip = svg("title");
      tip.textContent = periods[i] + ": " + v + " signalen hier";
      r.appendChild(tip);
      root.appendChild(r);
    });
    return root;
  }

  function scoreCell(score) {
    var s = (Math.round(score * 10) / 10).toFixed(1).replace(".", ",");
    var bar = el("span", { class: "scorebalk", "aria-hidden": "true" }, el("span"));
    bar.firstChild.style.width = Math.max(0, Math.min(100, score)) + "%";
    return el("td", { class: "score" }, s, " ", bar);
  }

  function rankingRow(it) {
    var town = localTown(it), sp = it.gemeenten;
    var spread = (sp.zeker === sp.mogelijk ? sp.zeker : sp.zeker + "–" + sp.mogelijk) + "/" + sp.totaal;
    return el("tr", { "data-thema": it.thema, "data-uitsplitsing": it.uitsplitsing || null, "data-rang": it.rang },
      el("td", { text: String(it.rang) }),
      el("th", { scope: "row" }, itemName(it), town ? el("span", { class: "lokaal-label", text: " lokale stijging (" + town + ")" }) : null),
      scoreCell(it.score),
      el("td", { text: spread }),
      el("td", { text: sp.stijgend + "/" + sp.volledig }),
      el("td", { text: pct(it.groei) }),
      el("td", { class: "omvang", text: scaleText(it) }),
      el("td", { class: "uitleg", text: it.uitleg }));
  }

  function caption(d, it) {
    var town = localTown(it), g = it.groei, win = d.rangschikking.venster;
    var parts = [it.uitleg + "."];
    if (g && g.berekend) {
      parts.push("De stippellijn is de trend over de laatste " + win.groei_perioden + " maanden (" + pct(g) +
        (g.richting > 0 ? ", zeker stijgend)." : g.richting < 0 ? ", zeker dalend)." : ", geen zekere richting)."));
    }
    if (it.federatie && it.federatie.perioden > 0) {
      parts.push("Federatietotaal over de periode: " + it.federatie.signalen_tekst + " signalen (de som van de bereiken van de gemeenten was " +
        it.federatie.som_van_bereiken_tekst + ").");
    }
    var cap = el("figcaption", null, parts.join(" "));
    if (town) {
      cap.appendChild(el("strong", { class: "lokaal-label", text: " Lokale stijging: " }));
      cap.appendChild(document.createTextNode("de stijging komt vooral uit één gemeente, " + town +
        " (oranje lijn); zonder die gemeente blijft er weinig van over."));
    }
    return cap;
  }

  /* Which months have a federation summary (secure aggregation), and how
   * to read its figures. */
  function federationNote(d) {
    var inc = d.federatie.federatietotaal_gemeenten || [], n = 0, lo = 0, hi = 0;
    inc.forEach(function (k) { if (k > 0) { n++; lo = lo ? Math.min(lo, k) : k; hi = Math.max(hi, k); } });
    if (!n) return "Nog geen federatietotalen: de cijfers van de federatie zijn sommen van de bereiken van de gemeenten.";
    return "Federatietotalen (beveiligde optelling) voor " + n + " van de " + inc.length + " maanden, met " +
      (lo === hi ? lo : lo + " à " + hi) + " gemeenten: \"41 (40–42)\" is het totaal met een beetje ruis; het echte aantal " +
      "ligt met 90% zekerheid tussen 40 en 42." + (n < inc.length ? " De andere maanden: som van de bereiken van de gemeenten." : "");
  }

  function params() {
    var q = [];
    Object.keys(chosen).forEach(function (k) { if (chosen[k]) q.push(k + "=" + encodeURIComponent(chosen[k])); });
    return q.join("&");
  }

  function setMonths(n) {
    var sel = document.getElementById("maanden"), v = String(n);
    if (!Array.prototype.some.call(sel.options, function (o) { return o.value === v; })) {
      sel.appendChild(el("option", { value: v, text: v + " maanden" }));
    }
    sel.value = v;
  }

  function loadTrends() {
    var q = params();
    /* The choice is in the address, so it can be bookmarked. */
    history.replaceState(null, "", window.location.pathname + (q ? "?" + q : ""));
    var box = document.getElementById("grafieken");
    var body = document.querySelector("#rangschikking tbody");
    LS.api("GET", "/api/v1/trends?" + q).then(function (res) {
      LS.clear(box);
      LS.clear(body);
      document.getElementById("trends").hidden = false;
      if (res.status !== 200) { LS.notice(box, "fout", LS.message(res)); return; }
      var d = res.data, r = d.rangschikking, n = d.perioden.length;
      /* the controls show the window the node chose */
      document.getElementById("tot").value = d.perioden[n - 1];
      setMonths(n);
      document.getElementById("niveau").value = r.niveau;
      var docs = d.federatie.documenten, towns = Math.max.apply(null, d.federatie.gemeenten.concat([0]));
      var nFed = (d.federatie.federatietotaal_gemeenten || []).filter(function (k) { return k > 0; }).length;
      document.getElementById("venster").textContent = "Van " + monthLabel(d.perioden[0]) + " tot en met " +
        monthLabel(d.perioden[n - 1]) + ": " + (docs - nFed) + " samenvattingen" + (nFed ? " en " + nFed + " federatiesamenvattingen" : "") +
        " van " + towns + " gemeenten; groei over de laatste " +
        r.venster.groei_perioden + " maanden. " + federationNote(d);
      if (!r.items.length || docs === 0) {
        body.appendChild(el("tr", null, el("td", { colspan: "8", text: "Nog geen samenvattingen van de federatie in deze periode." })));
        /* a node on its own still sees its own signals */
        if (d.lokaal.signalen_totaal > 0) {
          d.lokaal.themas.slice(0, MAX_CHARTS).forEach(function (t) {
            box.appendChild(el("figure", { class: "grafiekvak", "data-thema": t.code },
              el("h3", { class: "grafiektitel", text: t.label + ": eigen signalen van " + d.lokaal.knooppunt + " (exact)" }),
              localChart(d.perioden, t.label, t.signalen)));
          });
        }
        return;
      }
      r.items.forEach(function (it) { body.appendChild(rankingRow(it)); });
      var local = {};
      d.lokaal.themas.forEach(function (t) { local[t.code] = t.signalen; });
      r.items.slice(0, MAX_CHARTS).forEach(function (it) {
        var fig = el("figure", { class: "grafiekvak", "data-thema": it.thema, "data-rang": it.rang },
          el("h3", { class: "grafiektitel", text: it.rang + ". " + itemName(it) + " — score " +
            (Math.round(it.score * 10) / 10).toFixed(1).replace(".", ",") }),
          itemChart(d, it), caption(d, it));
        /* this node's own signals: only where it has any, on their own
         * scale, in a chart of their own (themes only: the local counts
         * are per theme) */
        if (d.lokaal.signalen_totaal > 0 && !it.uitsplitsing && local[it.thema] &&
            local[it.thema].some(function (v) { return v > 0; })) {
          fig.appendChild(el("h4", { class: "grafiektitel", text: "Hier: eigen signalen van " + d.lokaal.knooppunt + " (exact, eigen schaal)" }));
          fig.appendChild(localChart(d.perioden, it.thema_label, local[it.thema]));
        }
        box.appendChild(fig);
      });
    });
  }

  /* A notice in the open dossier; the focus moves to it, so keyboard
   * and screen-reader users hear what happened (as on /dossiers). */
  function say(kind, text) {
    var box = LS.clear(document.getElementById("dossiermeldingen"));
    var n = el("div", { class: "melding " + kind, role: kind === "fout" ? "alert" : "status", tabindex: "-1" }, text);
    box.appendChild(n);
    n.focus();
  }

  /* A move to another phase, with its reason (required, as in the
   * workbench on /dossiers: it goes into the history), through the same
   * POST /api/v1/dossiers/N/phase. Forward first; going back says so. */
  function phaseForm(d) {
    var at = LS.PHASES.indexOf(d.fase);
    var forward = d.volgende_fasen.filter(function (f) { return LS.PHASES.indexOf(f) > at; });
    var back = d.volgende_fasen.filter(function (f) { return LS.PHASES.indexOf(f) < at; });
    var sel = el("select", { id: "d-naar-fase", required: true },
      forward.map(function (f) { return el("option", { value: f, text: f + " – " + LS.PHASE_HELP[f] }); }),
      back.map(function (f) { return el("option", { value: f, text: "terug naar " + f + " – " + LS.PHASE_HELP[f] }); }));
    var why = el("input", { type: "text", id: "d-fase-reden", maxlength: "4000", required: true,
      "aria-describedby": "d-fase-reden-uitleg" });
    var form = el("form", { id: "d-faseform", onsubmit: function (ev) {
      ev.preventDefault();
      var reason = why.value.trim();
      if (!reason) { say("fout", "Geef de reden voor de nieuwe fase."); why.focus(); return; }
      var to = sel.value;
      LS.api("POST", "/api/v1/dossiers/" + d.nr + "/phase", { fase: to, notitie: reason }).then(function (r) {
        if (r.status !== 200) {
          if (r.status !== 401) {
            say("fout", LS.message(r) + (r.status === 409 && d.criteria.length < 4
              ? " Vink de criteria aan in de werkbank van het dossier." : ""));
          }
          return;
        }
        loadDossiers();
        detail(d.nr, "Dossier " + d.nr + " is nu in de fase " + to + ".");
      });
    } },
      el("div", { class: "twee" },
        el("div", { class: "veld" }, el("label", { for: "d-naar-fase", text: "Naar fase" }), sel),
        el("div", { class: "veld" }, el("label", { for: "d-fase-reden", text: "Reden *" }), why,
          el("p", { class: "hint", id: "d-fase-reden-uitleg", text: "Waarom nu deze fase? Komt in de geschiedenis." }))),
      el("button", { type: "submit", class: "knop", text: "Fase wijzigen" }));
    return form;
  }

  /* One dossier below the list; done: the notice of what just happened
   * (the focus goes there), else the focus goes to the dossier. */
  function detail(nr, done) {
    var box = document.getElementById("dossierdetail");
    LS.api("GET", "/api/v1/dossiers/" + nr).then(function (res) {
      LS.clear(box);
      box.hidden = false;
      if (res.status !== 200) { LS.notice(box, "fout", LS.message(res)); box.focus(); return; }
      var d = res.data;
      box.setAttribute("data-nr", d.nr);
      box.appendChild(el("h3", { id: "dossierdetail-titel", text: "Dossier " + d.nr + ": " + d.titel }));
      box.appendChild(el("p", { text: "Trekker " + d.trekker + " · fase " + d.fase + " · criteria: " + (d.criteria.join(", ") || "nog geen") +
        " · " + d.signalen.length + " signalen · thema's: " + d.thema.map(function (c) { return themeLabels[c] || c; }).join(", ") }));
      box.appendChild(el("p", null, el("a", { href: "/dossiers#dossier-" + d.nr, text: "Naar de werkbank van dossier " + d.nr },
        " (criteria, signalen, acties, feedback)")));
      box.appendChild(el("div", { id: "dossiermeldingen", "aria-live": "polite" }));
      if (d.volgende_fasen.length) {
        box.appendChild(el("h4", { text: "Fase wijzigen" }));
        box.appendChild(phaseForm(d));
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
      if (done) say("ok", done); else box.focus();
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
      LS.PHASES.forEach(function (p) {
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
      if (/^\d{4}-\d{2}$/.test(start.get("tot") || "")) chosen.tot = start.get("tot");
      if (/^\d{1,2}$/.test(start.get("maanden") || "") && Number(start.get("maanden")) >= 1 && Number(start.get("maanden")) <= 36) chosen.maanden = start.get("maanden");
      if (["thema", "leeftijd", "doelgroep", "jongeren"].indexOf(start.get("niveau")) >= 0) chosen.niveau = start.get("niveau");
      if (start.get("thema") && themeLabels[start.get("thema")]) {
        chosen.thema = start.get("thema");
        document.getElementById("thema-filter").value = chosen.thema;
      }
      [["tot", "tot"], ["maanden", "maanden"], ["niveau", "niveau"], ["thema-filter", "thema"]].forEach(function (c) {
        document.getElementById(c[0]).addEventListener("change", function (ev) {
          var v = ev.target.value;
          if (c[1] === "tot" && !/^\d{4}-\d{2}$/.test(v)) v = "";
          chosen[c[1]] = v;
          loadTrends();
        });
      });
      loadTrends();
      loadDossiers();
    });
  });
})();
