/*
 * Signals: find them (GET /api/v1/signals with its filters), open one,
 * and — for coordinators — bundle a selection into a new dossier (POST
 * /api/v1/dossiers, then POST /api/v1/dossiers/N/signals) or link it to
 * an existing one. A field worker sees only its own signals (the API
 * filters them) and, per signal, what became of it: the dossiers that
 * follow it up and the feedback its organisation received.
 */
"use strict";

(function () {
  var el = LS.el;
  var PAGE = 50;
  var SHORT_STATUS = { nieuw: "nieuw", gekoppeld: "in dossier", afgesloten: "afgesloten" };
  var tax, names, me, coordinator;
  var shown = {};      /* id -> signal, everything listed */
  var selected = {};   /* id -> signal */
  var next = null;     /* the cursor of the next page */
  var lastQuery = "";

  function $(id) { return document.getElementById(id); }

  function options(select, dim, empty) {
    select.appendChild(el("option", { value: "", text: empty }));
    var list = tax[dim].slice();
    if (dim !== "leeftijd") list.sort(function (a, b) { return a.label.localeCompare(b.label, "nl"); });
    list.forEach(function (e) {
      select.appendChild(el("option", { value: e.code, text: e.onder ? "– " + e.label : e.label }));
    });
  }

  /* The last 36 months, newest first, as the period filter's choices. */
  function months() {
    var sel = $("f-periode"), now = new Date();
    for (var i = 0; i < 36; i++) {
      var d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - i, 1));
      var value = d.toISOString().slice(0, 7);
      sel.appendChild(el("option", { value: value,
        text: d.toLocaleDateString("nl-BE", { month: "long", year: "numeric", timeZone: "UTC" }) }));
    }
    sel.addEventListener("change", function () {
      $("f-maanden").disabled = !sel.value;
      $("f-maanden-uitleg").hidden = !!sel.value;
    });
  }

  /* The filters as a query string (without the cursor). */
  function query() {
    var q = [];
    function add(name, value) {
      if (value) q.push(name + "=" + encodeURIComponent(value));
    }
    var month = $("f-periode").value;
    if (month) {
      var n = +$("f-maanden").value;
      add("periode", n > 1 ? month + "+" + n : month);
    }
    ["thema", "leeftijd", "doelgroep", "sector", "status"].forEach(function (f) { add(f, $("f-" + f).value); });
    if (coordinator) add("organisatie", $("f-organisatie").value);
    add("zoek", $("f-zoek").value.trim());
    q.push("limiet=" + PAGE);
    return q.join("&");
  }

  function followupSummary(s) {
    if (!s.opvolging || !s.opvolging.length) return el("span", { class: "leeg", text: "nog geen dossier" });
    return el("ul", { class: "opvolging" }, s.opvolging.map(function (o) {
      return el("li", null,
        coordinator ? el("a", { href: "/dossiers#dossier-" + o.dossier, text: "Dossier " + o.dossier }) : "Dossier " + o.dossier,
        ": " + o.titel + " ",
        el("span", { class: "fase", text: o.fase }),
        o.feedback.length ? el("ul", { class: "feedback" }, o.feedback.map(function (f) {
          return el("li", null, el("strong", { text: "Feedback " + LS.dateTime(f.op) + ": " }), f.tekst);
        })) : null);
    }));
  }

  function describe(s) {
    return LS.date(s.geregistreerd_op) + ", " + LS.codeList(names, "thema", s.thema) + ", " + s.organisatie;
  }

  function row(s) {
    var cells = [];
    if (coordinator) {
      var box = el("input", { type: "checkbox", class: "kies", value: s.id,
        "aria-label": "Selecteer het signaal van " + describe(s),
        onchange: function () {
          if (box.checked) selected[s.id] = s; else delete selected[s.id];
          selectionChanged();
        } });
      box.checked = !!selected[s.id];
      cells.push(el("td", { "data-kop": "Selectie" }, box));
    }
    cells.push(el("td", { "data-kop": "Geregistreerd", text: LS.date(s.geregistreerd_op) }));
    var text = s.omschrijving || "";
    cells.push(el("td", { "data-kop": "Signaal" },
      el("strong", { text: LS.codeList(names, "thema", s.thema) }),
      text ? el("span", { class: "uittreksel", text: text.length > 140 ? text.slice(0, 139) + "…" : text }) : null));
    cells.push(el("td", { "data-kop": "Leeftijd", text: names.leeftijd[s.leeftijd] || s.leeftijd }));
    cells.push(el("td", { "data-kop": "Organisatie", text: s.organisatie + (s.melder ? " (" + s.melder + ")" : "") }));
    cells.push(el("td", { "data-kop": "Status", text: SHORT_STATUS[s.status] || s.status }));
    cells.push(el("td", { "data-kop": "Opvolging" }, followupSummary(s)));
    cells.push(el("td", null, el("button", { type: "button", class: "knop klein tweede",
      "aria-label": "Details van het signaal van " + describe(s),
      onclick: function () { detail(s); } }, "Details")));
    return el("tr", { "data-id": s.id }, cells);
  }

  function item(term, value) {
    return [el("dt", { text: term }), el("dd", { text: value === null || value === undefined || value === "" ? "–" : String(value) })];
  }

  /* One signal in full, below the list; the focus moves there. */
  function detail(s) {
    var box = LS.clear($("signaaldetail"));
    box.appendChild(el("h2", { id: "detail-titel", text: "Signaal van " + LS.date(s.geregistreerd_op) }));
    box.appendChild(el("dl", { class: "overzicht" },
      item("Nummer", s.id),
      item("Thema's", LS.codeList(names, "thema", s.thema)),
      item("Leeftijd", names.leeftijd[s.leeftijd] || s.leeftijd),
      item("Doelgroep(en)", LS.codeList(names, "doelgroep", s.doelgroep)),
      item("Sector", names.sector[s.sector] || s.sector),
      item("Soort probleem", s.probleemtype ? names.probleemtype[s.probleemtype] || s.probleemtype : null),
      item("Organisatie", s.organisatie),
      item("Melder", s.melder),
      item("Aantal personen", s.aantal_personen),
      item("Ernst", s.ernst),
      item("Vastgesteld op", s.vastgesteld_op ? LS.date(s.vastgesteld_op) : null),
      item("Geregistreerd op", LS.date(s.geregistreerd_op)),
      item("Wijk", s.wijk),
      item("Status", LS.STATUS[s.status] || s.status),
      item("Omschrijving", s.omschrijving)));
    box.appendChild(el("h3", { text: "Opvolging" }));
    box.appendChild(el("div", { class: "opvolgvak" }, followupSummary(s)));
    box.appendChild(el("p", null, el("button", { type: "button", class: "knop tweede", onclick: function () {
      box.hidden = true;
      var back = document.querySelector("#signaallijst tr[data-id='" + s.id + "'] button");
      if (back) back.focus();
    } }, "Terug naar de lijst")));
    box.hidden = false;
    box.focus();
  }

  function render(list, append) {
    var body = $("signaallijst").querySelector("tbody");
    if (!append) { LS.clear(body); shown = {}; }
    list.forEach(function (s) { shown[s.id] = s; body.appendChild(row(s)); });
    var n = Object.keys(shown).length;
    if (!n) {
      body.appendChild(el("tr", null, el("td", { colspan: coordinator ? "8" : "7", class: "leeg",
        text: "Geen signalen gevonden met deze filters." })));
    }
    $("aantal").textContent = n === 0 ? "Geen signalen gevonden." :
      n + (n === 1 ? " signaal" : " signalen") + (next ? " getoond; er zijn er meer." : " gevonden.");
    $("meer").hidden = !next;
    $("resultaten").hidden = false;
  }

  function search(append) {
    var q = append ? lastQuery + "&na=" + encodeURIComponent(next) : query();
    if (!append) lastQuery = q;
    var button = $("zoek-knop");
    button.disabled = true;
    return LS.api("GET", "/api/v1/signals?" + q).then(function (res) {
      button.disabled = false;
      if (res.status !== 200) {
        if (res.status !== 401) LS.notice($("resultaten"), "fout", LS.message(res));
        $("resultaten").hidden = false;
        return;
      }
      next = res.data.volgende;
      render(res.data.signalen, append);
    });
  }

  /* --- the selection (coordinators) --------------------------------- */

  function selectedIds() { return Object.keys(selected); }

  function selectionChanged() {
    var ids = selectedIds();
    var count = ids.length + (ids.length === 1 ? " signaal" : " signalen") + " geselecteerd.";
    $("selectie-aantal").textContent = ids.length === 0
      ? "Geen signalen geselecteerd. Vink signalen aan in de resultaten om er een dossier van te maken " +
        "of ze aan een bestaand dossier te koppelen." : count;
    $("selectie-acties").hidden = ids.length === 0;
    /* Under the list, a reminder that stays in view while ticking. */
    $("selectiebalk-tekst").textContent = count + " ";
    $("selectiebalk").hidden = ids.length === 0;
    /* The theme most of the selection shares is the new dossier's
     * default. */
    var votes = {}, best = "", max = 0;
    ids.forEach(function (id) {
      selected[id].thema.forEach(function (t) {
        var e = tax.thema.filter(function (x) { return x.code === t; })[0];
        var key = e && e.onder ? e.onder : t;
        votes[key] = (votes[key] || 0) + 1;
        if (votes[key] > max) { max = votes[key]; best = key; }
      });
    });
    if (best && !$("d-thema").dataset.gekozen) $("d-thema").value = best;
  }

  function selectionNotice(kind, text, link) {
    var box = $("selectie");
    Array.prototype.forEach.call(box.querySelectorAll(".melding"), function (m) { m.remove(); });
    var n = LS.notice(box, kind, text);
    if (link) n.appendChild(el("p", null, el("a", { href: link[0], text: link[1] })));
    n.setAttribute("tabindex", "-1");
    n.focus();
  }

  function link(nr, ids, created) {
    return LS.api("POST", "/api/v1/dossiers/" + nr + "/signals", { signalen: ids }).then(function (res) {
      if (res.status !== 200) {
        selectionNotice("fout", (created ? "Het dossier is gemaakt, maar de signalen zijn niet gekoppeld: " : "") + LS.message(res));
        return;
      }
      selected = {};
      selectionChanged();
      selectionNotice("ok", (created ? "Dossier " + nr + " is gemaakt; " : "") +
        res.data.gekoppeld + " signaal/signalen gekoppeld aan dossier " + nr + " (" + res.data.titel + ").",
        ["/dossiers#dossier-" + nr, "Dossier " + nr + " openen"]);
      loadDossiers();
      search(false);
    });
  }

  function createDossier(ev) {
    ev.preventDefault();
    var ids = selectedIds();
    var titel = $("d-titel").value.trim(), trekker = $("d-trekker").value.trim(), thema = $("d-thema").value;
    var wrong = [];
    if (!ids.length) wrong.push("Selecteer eerst een of meer signalen in de resultaten.");
    if (!titel) wrong.push("Geef het dossier een titel.");
    if (!trekker) wrong.push("Geef de trekker van het dossier.");
    if (!thema) wrong.push("Kies het thema van het dossier.");
    if (wrong.length) { selectionNotice("fout", wrong.join(" ")); return; }
    LS.api("POST", "/api/v1/dossiers", { titel: titel, trekker: trekker, thema: [thema] }).then(function (res) {
      if (res.status !== 201) { selectionNotice("fout", LS.message(res)); return; }
      $("nieuw-dossier").reset();
      delete $("d-thema").dataset.gekozen;
      link(res.data.nr, ids, true);
    });
  }

  function linkExisting(ev) {
    ev.preventDefault();
    var ids = selectedIds(), nr = $("k-dossier").value;
    if (!ids.length) { selectionNotice("fout", "Selecteer eerst een of meer signalen in de resultaten."); return; }
    if (!nr) { selectionNotice("fout", "Kies het dossier."); return; }
    link(nr, ids, false);
  }

  function loadDossiers() {
    return LS.api("GET", "/api/v1/dossiers").then(function (res) {
      var sel = LS.clear($("k-dossier"));
      if (res.status !== 200) return;
      sel.appendChild(el("option", { value: "", text: res.data.dossiers.length ? "— kies een dossier —" : "nog geen dossiers" }));
      res.data.dossiers.forEach(function (d) {
        sel.appendChild(el("option", { value: d.nr, text: d.nr + " · " + d.titel + " (" + d.fase + ")" }));
      });
    });
  }

  function loadOrganisations() {
    return LS.api("GET", "/api/v1/organisations").then(function (res) {
      var sel = $("f-organisatie");
      sel.appendChild(el("option", { value: "", text: "alle" }));
      if (res.status !== 200) return;
      res.data.organisaties.forEach(function (o) {
        sel.appendChild(el("option", { value: o.naam, text: o.naam + " (" + o.signalen + ")" }));
      });
    });
  }

  LS.start("veldwerker", function (who) {
    me = who;
    coordinator = LS.allowed("coordinator");
    if (!coordinator) {
      Array.prototype.forEach.call(document.querySelectorAll(".alleen-coordinator"), function (n) { n.remove(); });
      $("titel").textContent = "Mijn signalen";
      document.title = "Mijn signalen – Lokaal Signaal";
      $("uitleg-veldwerker").hidden = false;
      /* On a field worker's phone their signals come first, the search
       * after them. */
      $("inhoud").insertBefore(document.querySelector(".werkblad"), $("zoeken"));
    }
    LS.api("GET", "/api/v1/taxonomy").then(function (res) {
      if (res.status !== 200) { LS.notice($("inhoud"), "fout", LS.message(res)); return; }
      tax = res.data;
      names = LS.labels(tax);
      months();
      options($("f-thema"), "thema", "alle");
      options($("f-leeftijd"), "leeftijd", "alle");
      options($("f-doelgroep"), "doelgroep", "alle");
      options($("f-sector"), "sector", "alle");
      $("zoeken").addEventListener("submit", function (ev) { ev.preventDefault(); search(false); });
      $("zoeken").addEventListener("reset", function () {
        window.setTimeout(function () {
          $("f-maanden").disabled = true;
          $("f-maanden-uitleg").hidden = false;
          search(false);
        }, 0);
      });
      $("meer").addEventListener("click", function () { search(true); });
      $("zoeken").hidden = false;
      var ready = [];
      if (coordinator) {
        options($("d-thema"), "thema", "— kies —");
        $("d-thema").addEventListener("change", function () { $("d-thema").dataset.gekozen = "1"; });
        $("nieuw-dossier").addEventListener("submit", createDossier);
        $("bestaand-dossier").addEventListener("submit", linkExisting);
        ready.push(loadOrganisations(), loadDossiers());
        $("selectie").hidden = false;
      }
      Promise.all(ready).then(function () { search(false); });
    });
  });
})();
