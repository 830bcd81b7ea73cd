/*
 * The coordinator's workbench for dossiers: the list (GET
 * /api/v1/dossiers, by phase) and one dossier (GET /api/v1/dossiers/N,
 * its signals through GET /api/v1/signals?dossier=N) with every step of
 * the follow-up — move the phase with a reason, tick the four criteria,
 * unlink a signal, record actions and their results, send feedback to
 * the reporting organisations — and its history. The address
 * /dossiers#dossier-N opens dossier N, so the back button and links from
 * the signals page work.
 */
"use strict";

(function () {
  var el = LS.el;
  var names = null, current = null;

  function $(id) { return document.getElementById(id); }

  function phaseLabel(f) {
    return f + " – " + LS.PHASE_HELP[f];
  }

  /* A notice at the top of the open dossier; the focus moves to it so
   * that keyboard and screen-reader users hear what happened. */
  function say(kind, text) {
    var box = LS.clear($("dossier-meldingen"));
    var n = el("div", { class: "melding " + kind, role: kind === "fout" ? "alert" : "status", tabindex: "-1" }, text);
    box.appendChild(n);
    n.focus();
  }

  /* --- the list ------------------------------------------------------ */

  function list() {
    var phase = $("f-fase").value;
    return LS.api("GET", "/api/v1/dossiers" + (phase ? "?fase=" + phase : "")).then(function (res) {
      var body = LS.clear($("dossierlijst").querySelector("tbody"));
      if (res.status !== 200) {
        if (res.status !== 401) LS.notice($("lijst"), "fout", LS.message(res));
        return;
      }
      if (!res.data.dossiers.length) {
        body.appendChild(el("tr", null, el("td", { colspan: "8", class: "leeg",
          text: phase ? "Geen dossiers in de fase " + phase + "." : "Nog geen dossiers." })));
      }
      res.data.dossiers.forEach(function (d) {
        body.appendChild(el("tr", { "data-nr": d.nr },
          el("td", { text: String(d.nr) }),
          el("td", null, el("a", { href: "#dossier-" + d.nr, text: d.titel })),
          el("td", { text: d.trekker }),
          el("td", null, el("span", { class: "fase", text: d.fase })),
          el("td", { text: d.criteria.length + " van 4" }),
          el("td", { text: String(d.aantal_signalen) }),
          el("td", { text: String(d.aantal_acties) }),
          el("td", { text: LS.dateTime(d.bijgewerkt_op) })));
      });
      $("lijst").hidden = false;
    });
  }

  /* --- one dossier --------------------------------------------------- */

  function phaseBar(d) {
    var bar = LS.clear($("fasebalk"));
    var at = LS.PHASES.indexOf(d.fase);
    LS.PHASES.forEach(function (f, i) {
      var li = el("li", { class: i < at ? "voorbij" : i === at ? "huidig" : null,
        "aria-current": i === at ? "step" : null }, f);
      bar.appendChild(li);
    });
    /* Forward first: the usual step is the default; going back is the
     * exception and says so. */
    var sel = LS.clear($("naar-fase"));
    var forward = d.volgende_fasen.filter(function (f) { return LS.PHASES.indexOf(f) > at; });
    var back = d.volgende_fasen.filter(function (f) { return LS.PHASES.indexOf(f) < at; });
    forward.forEach(function (f) { sel.appendChild(el("option", { value: f, text: phaseLabel(f) })); });
    back.forEach(function (f) { sel.appendChild(el("option", { value: f, text: "terug naar " + phaseLabel(f) })); });
    var none = d.volgende_fasen.length === 0;
    Array.prototype.forEach.call($("faseform").querySelectorAll("select, input, button"), function (n) { n.disabled = none; });
  }

  function criteria(d) {
    Array.prototype.forEach.call(document.querySelectorAll("input[name=criterium]"), function (c) {
      c.checked = d.criteria.indexOf(c.value) >= 0;
    });
    $("criteria-notitie").value = "";
  }

  function signalsTable(d, signals) {
    var body = LS.clear($("dossiersignalen").querySelector("tbody"));
    if (!signals.length) {
      body.appendChild(el("tr", null, el("td", { colspan: "5", class: "leeg", text: "Nog geen signalen gekoppeld." })));
    }
    signals.forEach(function (s) {
      var what = LS.date(s.geregistreerd_op) + " van " + s.organisatie;
      body.appendChild(el("tr", null,
        el("td", { "data-kop": "Geregistreerd", text: LS.date(s.geregistreerd_op) }),
        el("td", { "data-kop": "Thema's", text: LS.codeList(names, "thema", s.thema) }),
        el("td", { "data-kop": "Organisatie", text: s.organisatie }),
        el("td", { "data-kop": "Omschrijving", class: "omschrijving", text: s.omschrijving || "–" }),
        el("td", null, el("button", { type: "button", class: "knop klein tweede",
          "aria-label": "Signaal " + what + " ontkoppelen",
          onclick: function () { unlink(d.nr, s.id, what); } }, "Ontkoppelen"))));
    });
    /* Feedback goes to every organisation that reported, or to one. */
    var orgs = {};
    signals.forEach(function (s) { orgs[s.organisatie] = true; });
    var sel = LS.clear($("feedback-aan"));
    var n = Object.keys(orgs).length;
    sel.appendChild(el("option", { value: "", text: "alle meldende organisaties (" + n + ")" }));
    Object.keys(orgs).sort().forEach(function (o) { sel.appendChild(el("option", { value: o, text: o })); });
  }

  function actions(d) {
    var ol = LS.clear($("actielijst"));
    ol.hidden = !d.acties.length;
    $("geen-acties").hidden = !!d.acties.length;
    d.acties.forEach(function (a) {
      var id = "resultaat-" + a.nr;
      var input = el("input", { id: id, type: "text", maxlength: "4000", required: true });
      ol.appendChild(el("li", { "data-actie": a.nr },
        el("p", null, el("strong", { text: a.wat }), " · " + a.wie + (a.tegen ? " · tegen " + a.tegen : "")),
        a.resultaat
          ? el("p", { class: "resultaat" }, el("strong", { text: "Resultaat: " }), a.resultaat)
          : el("p", { class: "leeg", text: "Nog geen resultaat." }),
        el("form", { class: "knoppen", onsubmit: function (ev) {
          ev.preventDefault();
          if (!input.value.trim()) { say("fout", "Vul het resultaat van de actie in."); return; }
          change("/actions/" + a.nr + "/result", { resultaat: input.value.trim() }, "Het resultaat is bewaard.");
        } },
          el("label", { for: id, text: a.resultaat ? "Ander resultaat:" : "Resultaat:" }), input,
          el("button", { type: "submit", class: "knop klein" }, "Resultaat bewaren"))));
    });
  }

  function historyList(d) {
    var ol = LS.clear($("geschiedenis"));
    d.geschiedenis.slice().reverse().forEach(function (h) {
      var what = h.soort === "fase" ? "fase " + h.van + " → " + h.naar
        : h.soort === "criteria" ? "criteria: " + (h.criteria && h.criteria.length ? h.criteria.join(", ") : "geen")
        : h.soort === "nieuw" ? "dossier gemaakt" : h.soort;
      ol.appendChild(el("li", null,
        el("span", { class: "wanneer", text: LS.dateTime(h.op) }), " ",
        el("strong", { text: what }),
        h.door ? " door " + h.door : "",
        h.notitie && h.soort !== "nieuw" ? el("span", { class: "notitie", text: " – " + h.notitie }) : null));
    });
  }

  function feedback(d) {
    var ul = LS.clear($("feedbacklijst"));
    ul.hidden = !d.feedback.length;
    $("geen-feedback").hidden = !!d.feedback.length;
    d.feedback.forEach(function (f) {
      ul.appendChild(el("li", null, el("span", { class: "wanneer", text: LS.dateTime(f.op) }),
        " aan ", el("strong", { text: f.organisatie }), ": " + f.tekst));
    });
  }

  function show(d, signals) {
    current = d;
    $("dossier-titel").textContent = "Dossier " + d.nr + ": " + d.titel;
    $("dossier-kern").textContent = "Trekker " + d.trekker + " · thema " + LS.codeList(names, "thema", d.thema) +
      (d.probleemtype ? " · " + (names.probleemtype[d.probleemtype] || d.probleemtype) : "") +
      " · fase " + d.fase + " · criteria " + d.criteria.length + " van 4 · aangemaakt " + LS.dateTime(d.aangemaakt_op);
    phaseBar(d);
    criteria(d);
    signalsTable(d, signals);
    actions(d);
    feedback(d);
    historyList(d);
    $("dossier").hidden = false;
    $("lijst").hidden = true;
  }

  /* Load dossier nr with its signals; resolves when shown. */
  function open(nr, focus) {
    return Promise.all([
      LS.api("GET", "/api/v1/dossiers/" + nr),
      LS.api("GET", "/api/v1/signals?dossier=" + nr + "&limiet=500&volgorde=oudste")
    ]).then(function (r) {
      if (r[0].status !== 200) {
        if (r[0].status !== 401) LS.notice($("inhoud"), "fout", LS.message(r[0]));
        $("dossier").hidden = true;
        return;
      }
      show(r[0].data, r[1].status === 200 ? r[1].data.signalen : []);
      if (focus) $("dossier").focus();
    });
  }

  /* POST a change to the open dossier; on success reload it and say so. */
  function change(path, body, done, hint) {
    var nr = current.nr;
    LS.clear($("dossier-meldingen")); /* the last notice is no longer news */
    return LS.api("POST", "/api/v1/dossiers/" + nr + path, body).then(function (res) {
      if (res.status !== 200 && res.status !== 201) {
        if (res.status !== 401) say("fout", LS.message(res) + (hint ? hint(res) : ""));
        return false;
      }
      return Promise.all([open(nr, false), list()]).then(function () {
        say("ok", done);
        return true;
      });
    });
  }

  function unlink(nr, id, what) {
    LS.clear($("dossier-meldingen"));
    LS.api("DELETE", "/api/v1/dossiers/" + nr + "/signals/" + id).then(function (res) {
      if (res.status !== 200) { if (res.status !== 401) say("fout", LS.message(res)); return; }
      Promise.all([open(nr, false), list()]).then(function () {
        say("ok", "Het signaal " + what + " is ontkoppeld. Opnieuw koppelen kan op de pagina Signalen.");
      });
    });
  }

  function wire() {
    $("faseform").addEventListener("submit", function (ev) {
      ev.preventDefault();
      var to = $("naar-fase").value, why = $("fase-reden").value.trim();
      if (!why) { say("fout", "Geef de reden voor de nieuwe fase."); $("fase-reden").focus(); return; }
      change("/phase", { fase: to, notitie: why }, "Het dossier is nu in de fase " + to + ".", function (res) {
        /* The table's refusal names what is missing; say where to fix it. */
        return res.status === 409 && current.criteria.length < 4
          ? " Vink de criteria hieronder aan en bewaar ze eerst." : "";
      }).then(function (ok) {
        if (ok) $("fase-reden").value = "";
      });
    });
    $("criteriaform").addEventListener("submit", function (ev) {
      ev.preventDefault();
      var on = [], off = [];
      Array.prototype.forEach.call(document.querySelectorAll("input[name=criterium]"), function (c) {
        var was = current.criteria.indexOf(c.value) >= 0;
        if (c.checked && !was) on.push(c.value);
        if (!c.checked && was) off.push(c.value);
      });
      if (!on.length && !off.length) { say("info", "Er is niets gewijzigd aan de criteria."); return; }
      var body = {};
      if (on.length) body.voldaan = on;
      if (off.length) body.niet_voldaan = off;
      var note = $("criteria-notitie").value.trim();
      if (note) body.notitie = note;
      change("/criteria", body, "De criteria zijn bewaard.");
    });
    $("actieform").addEventListener("submit", function (ev) {
      ev.preventDefault();
      var body = { wat: $("actie-wat").value.trim(), wie: $("actie-wie").value.trim() };
      if (!body.wat || !body.wie) { say("fout", "Vul in wat de actie is en wie ze uitvoert."); return; }
      if ($("actie-tegen").value) body.tegen = $("actie-tegen").value;
      if ($("actie-resultaat").value.trim()) body.resultaat = $("actie-resultaat").value.trim();
      change("/actions", body, "De actie is toegevoegd.").then(function (ok) {
        if (ok) $("actieform").reset();
      });
    });
    $("feedbackform").addEventListener("submit", function (ev) {
      ev.preventDefault();
      var body = { tekst: $("feedback-tekst").value.trim() };
      if (!body.tekst) { say("fout", "Schrijf de feedback."); return; }
      if ($("feedback-aan").value) body.organisatie = $("feedback-aan").value;
      change("/feedback", body, "De feedback is verstuurd.").then(function (ok) {
        if (ok) $("feedback-tekst").value = "";
      });
    });
    $("f-fase").addEventListener("change", list);
    $("terug").addEventListener("click", function (ev) {
      ev.preventDefault();
      backToList();
    });
    window.addEventListener("hashchange", route);
  }

  /* Back to the list: clear the address and put the focus on the list. */
  function backToList() {
    window.history.pushState(null, "", window.location.pathname);
    $("dossier").hidden = true;
    $("lijst").hidden = false;
    var row = current && document.querySelector("#dossierlijst tr[data-nr='" + current.nr + "'] a");
    if (row) row.focus(); else $("dossierlijst").focus();
  }

  function route() {
    var m = /^#dossier-([0-9]+)$/.exec(window.location.hash || "");
    if (m) open(+m[1], true);
    else { $("dossier").hidden = true; $("lijst").hidden = false; }
  }

  LS.start("coordinator", function () {
    LS.PHASES.forEach(function (f) { $("f-fase").appendChild(el("option", { value: f, text: f })); });
    LS.api("GET", "/api/v1/taxonomy").then(function (res) {
      if (res.status !== 200) { LS.notice($("inhoud"), "fout", LS.message(res)); return; }
      names = LS.labels(res.data);
      wire();
      list().then(route);
    });
  });
})();
