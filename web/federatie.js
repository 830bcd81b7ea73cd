/*
 * The federation view (GET /api/v1/federation): every node with when it
 * was last seen, its version, its last release, its sync lag, its feed
 * position here and its forks — refreshed every minute. States: ok,
 * waarschuwing (stale for an hour), fout (a day, or a fork).
 */
"use strict";

(function () {
  var el = LS.el;
  var HOUR = 3600, DAY = 86400;
  /* what a state is called, beside its colour (never colour alone) */
  var WORDS = { ok: "in orde", waarschuwing: "achter", fout: "probleem", onbekend: "geen status" };

  function state(seconds) {
    if (seconds === null || seconds === undefined) return "onbekend";
    if (seconds > DAY) return "fout";
    if (seconds > HOUR) return "waarschuwing";
    return "ok";
  }

  function cell(text, cls, title) {
    return el("td", { class: cls || null, title: title || null, text: text });
  }

  function load() {
    LS.api("GET", "/api/v1/federation").then(function (res) {
      var section = document.getElementById("overzicht");
      var body = document.querySelector("#knooppunten tbody");
      var tiles = document.getElementById("samenvatting");
      section.hidden = false;
      if (res.status !== 200) { LS.notice(section, "fout", LS.message(res)); return; }
      var d = res.data, n = { ok: 0, waarschuwing: 0, fout: 0, onbekend: 0 };
      /* the id is often "federatie" itself: never "federatie federatie" */
      document.getElementById("federatienaam").textContent = !d.federatie ? "Knooppunten (geen federatie ingesteld)" :
        /federatie/i.test(d.federatie) ? "Knooppunten van de federatie" : "Knooppunten van federatie " + d.federatie;
      document.getElementById("bijgewerkt").textContent = "Bijgewerkt " + LS.dateTime(d.op);
      LS.clear(body);
      d.knooppunten.forEach(function (k) {
        var seen = state(k.status_leeftijd_s), lag = state(k.sync_achterstand_s);
        var overall = k.forks > 0 || k.in_quarantaine ? "fout" : [seen, lag].indexOf("fout") >= 0 ? "fout" :
          [seen, lag].indexOf("waarschuwing") >= 0 ? "waarschuwing" : seen === "onbekend" ? "onbekend" : "ok";
        n[overall]++;
        var name = (k.naam || k.id) + (k.zelf ? " (dit knooppunt)" : "") + (k.lid || !d.federatie ? "" : " — geen lid");
        body.appendChild(el("tr", { class: "staat-" + overall, "data-knooppunt": k.id },
          el("th", { scope: "row" }, el("span", { class: "stip " + overall, "aria-hidden": "true" }), " " + name,
            el("span", { class: "staatwoord", text: " · " + WORDS[overall] })),
          cell(k.rol || "–"),
          /* the age for a glance, the exact time for a report: both as text */
          cell(LS.ago(k.status_leeftijd_s) + (k.laatst_gezien ? " (" + LS.dateTime(k.laatst_gezien) + ")" : ""), seen),
          cell(k.status ? k.status.versie : "–"),
          cell(k.laatste_vrijgave ? k.laatste_vrijgave.periode + " (" + LS.dateTime(k.laatste_vrijgave.op) + ")" +
            (k.niet_geteld ? " — " + k.niet_geteld + " telt niet mee (gemaakt onder een eerder beleid)" : "") : "–",
            k.niet_geteld ? "waarschuwing" : null),
          cell(LS.ago(k.sync_achterstand_s), lag),
          cell(String(k.feed_seq)),
          cell(k.forks ? k.forks + (k.in_quarantaine ? " — in quarantaine" : "") : "0", k.forks ? "fout" : null)));
      });
      if (!d.knooppunten.length) body.appendChild(el("tr", null, el("td", { colspan: "8", text: "Nog geen knooppunten bekend." })));
      LS.clear(tiles);
      [["ok", "in orde"], ["waarschuwing", "achter"], ["fout", "probleem"], ["onbekend", "geen status"]].forEach(function (t) {
        tiles.appendChild(el("li", { class: "tegel " + t[0] }, el("span", { class: "aantal", text: String(n[t[0]]) }), el("span", { text: t[1] })));
      });
    });
  }

  LS.start("coordinator", function () {
    load();
    setInterval(load, 60000);
  });
})();
