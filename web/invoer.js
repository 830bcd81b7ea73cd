/*
 * The capture form: built from the taxonomy (GET /api/v1/taxonomy),
 * checked here with the same rules as the node (which checks again),
 * sent as JSON (POST /api/v1/signals), and confirmed with what the node
 * stored — the answer of the POST, which comes after the commit.
 *
 * Retries and offline (docs/API.md, "Retries"): each signal gets an
 * Idempotency-Key when it is sent the first time, and is kept with it in
 * a queue in this browser (localStorage) until the node answered. When
 * the answer does not come (no network, the node busy or stopping), the
 * signal stays queued and is sent again, with the same key, when the
 * browser is online again (and every 30 seconds, and at the next visit):
 * the node stores it once. A refusal (4xx) takes it out of the queue and
 * shows why; the corrected signal is a new one with a new key.
 *
 * A queued signal belongs to whom the token that made it stands for:
 * its role, organisation and person (the token binds them to the
 * signal). On a device shared by field workers, what one of them left
 * in the queue waits until a token of theirs is used here again (the
 * same one, or a new one for the same person); it is never sent with
 * another's token, which would store it as the other's signal. The
 * queue itself (storage, owner, sending one at a time) is LS.queue in
 * web/signaal.js: every page counts it in its header, and "Afmelden"
 * asks what becomes of it (kept signals are sealed, and opened again at
 * their owner's next sign-in, before this form sees the queue).
 */
"use strict";

(function () {
  var el = LS.el;
  var MAX_THEMES = 3, MAX_TARGETS = 8, MAX_DESCRIPTION = 4000;
  var form, errors, tax, names, me;
  var Q = LS.queue;

  /* A random key per signal (128 bits as hex in UUID form). */
  function newKey() {
    var b = new Uint8Array(16), h = "";
    window.crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    for (var i = 0; i < 16; i++) {
      h += (b[i] < 16 ? "0" : "") + b[i].toString(16);
      if (i === 3 || i === 5 || i === 7 || i === 9) h += "-";
    }
    return h;
  }

  function showQueue(q) {
    var box = document.getElementById("wachtrij");
    if (!box) return;
    var own = Q.mine(q).length, rest = Q.other(), other = rest.others, text = "";
    box.hidden = own + other + rest.lost === 0;
    if (own) text = own === 1
      ? "1 signaal is op dit toestel bewaard en wacht op verzending naar het knooppunt. Het wordt vanzelf verzonden zodra de verbinding terug is."
      : own + " signalen zijn op dit toestel bewaard en wachten op verzending naar het knooppunt. Ze worden vanzelf verzonden zodra de verbinding terug is.";
    if (other) text += (text ? " " : "") + (other === 1
      ? "1 signaal op dit toestel werd door iemand anders gemaakt (met een ander token); het wordt verzonden wanneer die persoon zich hier opnieuw aanmeldt."
      : other + " signalen op dit toestel werden door iemand anders gemaakt (met een ander token); ze worden verzonden wanneer die persoon zich hier opnieuw aanmeldt.");
    if (rest.lost) text += (text ? " " : "") + (rest.lost === 1
      ? "1 signaal op dit toestel werd versleuteld bewaard met een sleutel die dit knooppunt niet meer heeft: niemand kan het openen of verzenden, tot de beheerder die sleutel terugzet uit de back-up."
      : rest.lost + " signalen op dit toestel werden versleuteld bewaard met een sleutel die dit knooppunt niet meer heeft: niemand kan ze openen of verzenden, tot de beheerder die sleutel terugzet uit de back-up.");
    document.getElementById("wachtrij-tekst").textContent = text;
    document.getElementById("wachtrij-verzend").disabled = Q.busy() || own === 0;
  }

  /* The send button says what is going on, and is off meanwhile. */
  function busy(on, text) {
    var button = document.getElementById("bewaar");
    if (!button) return;
    button.disabled = on;
    button.textContent = on ? text : "Signaal bewaren";
  }

  /* Send what is queued (LS.queue.flush: oldest first, one at a time,
   * up to the first that gets no answer). */
  function flush() {
    if (Q.busy() || !Q.mine().length) return Promise.resolve();
    var p = Q.flush();
    busy(true, "Bezig met verzenden…");
    showQueue(Q.all());
    return p.then(function (r) {
      busy(false);
      showQueue(Q.all());
      if (r.refused.length) showErrors(r.refused.map(function (res) {
        return { veld: res.data && res.data.veld, melding: "Een eerder bewaard signaal werd geweigerd: " + LS.message(res) };
      }));
      if (r.sent) {
        LS.announce(r.sent === 1 ? "Het wachtende signaal is verzonden en bewaard." : r.sent + " wachtende signalen zijn verzonden en bewaard.");
        recent();
      }
    });
  }

  function bytes(text) {
    return new TextEncoder().encode(text).length;
  }

  /* The node registers a signal on today's date in UTC; an observation
   * may not be later. */
  function today() {
    return new Date().toISOString().slice(0, 10);
  }

  /* Checkboxes or radio buttons for one dimension; local sub-codes are
   * shown under their shared code. */
  function choices(container, dim, type, name) {
    var list = tax[dim].slice();
    list.sort(function (a, b) {
      var ka = (a.onder ? names[dim][a.onder] + " " : "") + a.label;
      var kb = (b.onder ? names[dim][b.onder] + " " : "") + b.label;
      return ka.localeCompare(kb, "nl");
    });
    if (dim === "leeftijd") list = tax[dim].slice(); /* age order */
    list.forEach(function (e) {
      container.appendChild(el("label", { class: e.onder ? "sub" : null },
        el("input", { type: type, name: name, value: e.code }), " " + e.label));
    });
  }

  function options(select, dim, empty) {
    select.appendChild(el("option", { value: "", text: empty }));
    tax[dim].slice().sort(function (a, b) { return a.label.localeCompare(b.label, "nl"); })
      .forEach(function (e) { select.appendChild(el("option", { value: e.code, text: e.label })); });
  }

  function checked(name) {
    return Array.prototype.map.call(form.querySelectorAll("input[name=" + name + "]:checked"),
      function (i) { return i.value; });
  }

  function markField(field, on) {
    var box = document.getElementById("veld-" + field);
    if (!box) return;
    box.classList.toggle("fout", on);
    Array.prototype.forEach.call(box.querySelectorAll("input, select, textarea"), function (i) {
      if (on) i.setAttribute("aria-invalid", "true"); else i.removeAttribute("aria-invalid");
    });
  }

  function showErrors(list) {
    ["thema", "leeftijd", "doelgroep", "sector", "probleemtype", "aantal_personen", "vastgesteld_op",
     "ernst", "omschrijving", "wijk", "organisatie", "melder"].forEach(function (f) { markField(f, false); });
    LS.clear(errors);
    if (list.length === 0) { errors.hidden = true; return; }
    errors.appendChild(el("p", { text: list.length === 1 ? "Er is nog één probleem:" : "Er zijn nog " + list.length + " problemen:" }));
    errors.appendChild(el("ul", null, list.map(function (e) {
      markField(e.veld, true);
      return el("li", { text: e.melding });
    })));
    errors.hidden = false;
    errors.focus && errors.scrollIntoView({ block: "start" });
  }

  /* The body to send, and what is wrong with it (same rules as the
   * node: core/signal.h). */
  function collect() {
    var body = {}, wrong = [];
    var themes = checked("thema"), targets = checked("doelgroep"), age = checked("leeftijd");
    if (themes.length < 1) wrong.push({ veld: "thema", melding: "Kies minstens één thema." });
    if (themes.length > MAX_THEMES) wrong.push({ veld: "thema", melding: "Kies hoogstens " + MAX_THEMES + " thema's." });
    var shared = {};
    themes.forEach(function (code) {
      var e = tax.thema.filter(function (x) { return x.code === code; })[0];
      var key = e && e.onder ? e.onder : code;
      if (shared[key]) wrong.push({ veld: "thema", melding: "Twee thema's vallen onder hetzelfde hoofdthema (" + names.thema[key] + ")." });
      shared[key] = true;
    });
    body.thema = themes;
    if (age.length !== 1) wrong.push({ veld: "leeftijd", melding: "Kies de leeftijd (of 'onbekend')." });
    else body.leeftijd = age[0];
    if (targets.length > MAX_TARGETS) wrong.push({ veld: "doelgroep", melding: "Kies hoogstens " + MAX_TARGETS + " doelgroepen." });
    body.doelgroep = targets;
    var sector = form.sector.value;
    if (!sector) wrong.push({ veld: "sector", melding: "Kies de sector van uw organisatie." });
    else body.sector = sector;
    if (form.probleemtype.value) body.probleemtype = form.probleemtype.value;
    var n = form.aantal_personen.value.trim();
    if (n !== "") {
      if (!/^[0-9]+$/.test(n) || +n < 1 || +n > 10000) wrong.push({ veld: "aantal_personen", melding: "Het aantal personen is een geheel getal van 1 tot 10000." });
      else body.aantal_personen = +n;
    }
    var ernst = checked("ernst");
    if (ernst.length === 1 && ernst[0] !== "") body.ernst = +ernst[0];
    var obs = form.vastgesteld_op.value;
    if (obs) {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(obs)) wrong.push({ veld: "vastgesteld_op", melding: "Geef de datum als JJJJ-MM-DD." });
      else if (obs > today()) wrong.push({ veld: "vastgesteld_op", melding: "De datum ligt in de toekomst." });
      else body.vastgesteld_op = obs;
    }
    var text = form.omschrijving.value;
    if (bytes(text) > MAX_DESCRIPTION) wrong.push({ veld: "omschrijving", melding: "De omschrijving is te lang (hoogstens " + MAX_DESCRIPTION + " tekens)." });
    else if (text.trim()) body.omschrijving = text;
    if (form.wijk.value.trim()) body.wijk = form.wijk.value.trim();
    if (!form.organisatie.readOnly) {
      var org = form.organisatie.value.trim();
      if (!org) wrong.push({ veld: "organisatie", melding: "Geef de naam van uw organisatie." });
      else body.organisatie = org;
    }
    if (!form.melder.readOnly && form.melder.value.trim()) body.melder = form.melder.value.trim();
    return { body: body, wrong: wrong };
  }

  function row(term, value) {
    return [el("dt", { text: term }), el("dd", { text: value })];
  }

  function confirm(sig) {
    var box = document.getElementById("bevestiging");
    var list = function (dim, codes) {
      return codes.length ? codes.map(function (c) { return names[dim][c] || c; }).join(", ") : "–";
    };
    LS.clear(box);
    box.appendChild(el("h2", { text: "Het signaal is bewaard" }));
    box.appendChild(el("p", { text: "Bewaard op " + LS.dateTime(sig.bewaard_op) + " met nummer " + sig.id + ". Dit is wat het knooppunt bewaarde:" }));
    box.appendChild(el("dl", { class: "overzicht", id: "bewaard" },
      row("Thema's", list("thema", sig.thema)),
      row("Leeftijd", names.leeftijd[sig.leeftijd] || sig.leeftijd),
      row("Doelgroep(en)", list("doelgroep", sig.doelgroep)),
      row("Sector", names.sector[sig.sector] || sig.sector),
      row("Soort probleem", sig.probleemtype ? names.probleemtype[sig.probleemtype] : "–"),
      row("Aantal personen", String(sig.aantal_personen)),
      row("Ernst", sig.ernst ? String(sig.ernst) : "–"),
      row("Vastgesteld op", sig.vastgesteld_op || "–"),
      row("Geregistreerd op", sig.geregistreerd_op),
      row("Organisatie", sig.organisatie),
      row("Melder", sig.melder || "–"),
      row("Wijk", sig.wijk || "–"),
      row("Omschrijving", sig.omschrijving || "–")));
    box.appendChild(el("button", { type: "button", class: "knop", text: "Nog een signaal registreren", onclick: function () {
      box.hidden = true;
      form.reset();
      prefill();
      form.hidden = false;
      form.querySelector("input").focus();
    } }));
    form.hidden = true;
    box.hidden = false;
    box.focus();
    recent();
  }

  function submit(ev) {
    ev.preventDefault();
    if (Q.busy()) return;
    var c = collect();
    showErrors(c.wrong);
    if (c.wrong.length) return;
    /* Queued before it is sent: a closed tab or a lost answer keeps it,
     * with its key. */
    var item = { key: newKey(), owner: Q.owner(), body: c.body, at: new Date().toISOString() };
    Q.add(item);
    var sent = Q.send(item);
    busy(true, "Bezig met bewaren…");
    sent.then(function (res) {
      busy(false);
      if (res.status === 201) {
        Q.remove(item.key);
        showErrors([]);
        confirm(res.data);
        flush();
      } else if (Q.unanswered(res.status)) {
        /* Not known to be stored: it stays queued, the form is free
         * for the next signal. */
        showQueue(Q.all());
        showErrors([]);
        form.reset();
        prefill();
        LS.announce("Het signaal is nog niet verzonden. Het blijft op dit toestel bewaard en wordt verzonden zodra het knooppunt bereikbaar is.");
        document.getElementById("wachtrij").focus && document.getElementById("wachtrij").scrollIntoView({ block: "start" });
      } else {
        Q.remove(item.key);
        showErrors([{ veld: res.data && res.data.veld, melding: LS.message(res) }]);
      }
    });
  }

  function counter() {
    var n = bytes(form.omschrijving.value);
    var t = document.getElementById("teller");
    t.textContent = n + " van " + MAX_DESCRIPTION + " tekens. Wordt na de bewaartermijn gewist.";
    t.classList.toggle("te-veel", n > MAX_DESCRIPTION);
  }

  /* The token's organisation and person are the signal's. */
  function prefill() {
    form.organisatie.value = me.organisatie || "";
    form.organisatie.readOnly = me.rol === "veldwerker";
    form.melder.value = me.persoon || "";
    form.melder.readOnly = !!me.persoon && me.rol === "veldwerker";
    /* a field worker's token without a person names no reporter (the
     * API refuses one): no field to fill in for nothing */
    document.getElementById("veld-melder").hidden = me.rol === "veldwerker" && !me.persoon;
    form.aantal_personen.value = "1";
    form.vastgesteld_op.max = today();
    counter();
  }

  function recent() {
    LS.api("GET", "/api/v1/signals?limiet=10").then(function (res) {
      var box = document.getElementById("recent"), ul = document.getElementById("recente-lijst");
      if (res.status !== 200) return;
      LS.clear(ul);
      res.data.signalen.forEach(function (s) {
        ul.appendChild(el("li", null,
          el("strong", { text: s.thema.map(function (c) { return names.thema[c] || c; }).join(", ") }),
          " · " + (names.leeftijd[s.leeftijd] || s.leeftijd) + " · " + s.geregistreerd_op + " · " + s.status));
      });
      if (!res.data.signalen.length) ul.appendChild(el("li", { text: "Nog geen signalen." }));
      box.hidden = false;
    });
  }

  LS.start("veldwerker", function (who) {
    me = who;
    form = document.getElementById("signaal");
    errors = document.getElementById("fouten");
    errors.setAttribute("tabindex", "-1");
    LS.api("GET", "/api/v1/taxonomy").then(function (res) {
      if (res.status !== 200) { LS.notice(document.getElementById("inhoud"), "fout", LS.message(res)); return; }
      tax = res.data;
      names = LS.labels(tax);
      choices(document.getElementById("themas"), "thema", "checkbox", "thema");
      choices(document.getElementById("leeftijden"), "leeftijd", "radio", "leeftijd");
      choices(document.getElementById("doelgroepen"), "doelgroep", "checkbox", "doelgroep");
      options(form.sector, "sector", "— kies —");
      options(form.probleemtype, "probleemtype", "— niet opgegeven —");
      prefill();
      form.omschrijving.addEventListener("input", counter);
      form.addEventListener("submit", submit);
      form.hidden = false;
      recent();
      document.getElementById("wachtrij-verzend").addEventListener("click", flush);
      window.addEventListener("online", flush);
      window.setInterval(flush, 30000);
      Q.watch(showQueue);
      showQueue(Q.all());
      flush();
    });
  });
})();
