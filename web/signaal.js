/*
 * Lokaal Signaal: what every page shares. The pages talk only to this
 * node's JSON API (docs/API.md) with a bearer token the user enters once
 * (or opens once as /invoer#token=...); the token stays in this browser's
 * localStorage until "Afmelden". No external assets, no inline scripts:
 * the Content-Security-Policy of the node allows only this origin.
 */
"use strict";

var LS = (function () {
  var KEY = "lokaalSignaal.token";
  var ROLES = { veldwerker: 1, coordinator: 2, beheerder: 3 };
  var me = null;

  /* A token given in the address (#token=...) is stored and removed from
   * the address at once, so it does not stay in the history. */
  function takeTokenFromAddress() {
    var m = /(?:^#|&)token=([^&]+)/.exec(window.location.hash || "");
    if (!m) return;
    try {
      localStorage.setItem(KEY, decodeURIComponent(m[1]).trim());
    } catch (e) { /* private mode: asked again below */ }
    history.replaceState(null, "", window.location.pathname + window.location.search);
  }

  function token() {
    try { return localStorage.getItem(KEY) || ""; } catch (e) { return ""; }
  }

  /* The public id of the token in use (lst1_<id>_<secret>): what the
   * node calls the token in /api/v1/me; "" when there is none. */
  function tokenId() {
    var m = /^lst1_([0-9a-f]+)_/.exec(token());
    return m ? m[1] : "";
  }

  function forget() {
    try { localStorage.removeItem(KEY); } catch (e) { /* nothing stored */ }
  }

  /* el("p", {class: "x"}, "text", child, ...): a DOM element. */
  function el(tag, attrs) {
    var n = document.createElement(tag);
    var a = attrs || {};
    Object.keys(a).forEach(function (k) {
      if (a[k] === null || a[k] === undefined || a[k] === false) return;
      if (k === "text") n.textContent = a[k];
      else if (k.slice(0, 2) === "on") n.addEventListener(k.slice(2), a[k]);
      else n.setAttribute(k, a[k] === true ? k : String(a[k]));
    });
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c === null || c === undefined) continue;
      if (Array.isArray(c)) c.forEach(function (x) { if (x) n.appendChild(x); });
      else n.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    }
    return n;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  }

  /* Call the API (headers: extra request headers, may be omitted);
   * resolves to {status, data}. A network failure resolves
   * to status 0 with a Dutch message, so callers have one path. */
  function api(method, path, body, headers) {
    var opts = { method: method, headers: { "Accept": "application/json" } };
    var t = token();
    if (t) opts.headers["Authorization"] = "Bearer " + t;
    if (headers) Object.keys(headers).forEach(function (k) { opts.headers[k] = headers[k]; });
    if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    return fetch(path, opts).then(function (r) {
      return r.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
        if (r.status === 401) showLogin(data && data.melding);
        return { status: r.status, data: data };
      });
    }, function () {
      return { status: 0, data: { code: "network", melding: "Het knooppunt is niet bereikbaar. Controleer de verbinding en probeer opnieuw." } };
    });
  }

  function message(res) {
    if (res.data && res.data.melding) return res.data.melding;
    return "Er ging iets mis (status " + res.status + ").";
  }

  /* A notice at the top of a container: kind "fout", "ok" or "info". */
  function notice(container, kind, text) {
    var n = el("div", { class: "melding " + kind, role: kind === "fout" ? "alert" : "status" }, text);
    container.insertBefore(n, container.firstChild);
    return n;
  }

  function showLogin(why) {
    var box = document.getElementById("aanmelden");
    if (!box) return;
    clear(box);
    var input = el("input", { id: "token", type: "password", autocomplete: "off", spellcheck: "false", required: true, placeholder: "lst1_…" });
    var form = el("form", { class: "kaart", onsubmit: function (ev) {
      ev.preventDefault();
      try { localStorage.setItem(KEY, input.value.trim()); } catch (e) { /* ignored */ }
      window.location.reload();
    } },
      el("h2", { text: "Aanmelden" }),
      why ? el("p", { class: "melding fout", role: "alert", text: why }) : null,
      el("p", { text: "Geef het toegangstoken dat u van de beheerder van het knooppunt kreeg. Het blijft in deze browser bewaard tot u afmeldt." }),
      el("label", { for: "token", text: "Toegangstoken" }),
      input,
      el("button", { type: "submit", class: "knop", text: "Aanmelden" }));
    box.appendChild(form);
    box.hidden = false;
    input.focus();
  }

  function allowed(role) {
    return me !== null && ROLES[me.rol] >= ROLES[role];
  }

  function nav() {
    var n = document.getElementById("navigatie");
    if (!n || !me) return;
    clear(n);
    var links = [["/invoer", "Registreren", "veldwerker"],
      ["/signalen", allowed("coordinator") ? "Signalen" : "Mijn signalen", "veldwerker"],
      ["/dossiers", "Dossiers", "coordinator"],
      ["/dashboard", "Dashboard", "coordinator"], ["/federatie", "Federatie", "coordinator"]];
    links.forEach(function (l) {
      if (!allowed(l[2])) return;
      var a = el("a", { href: l[0], text: l[1] });
      if (window.location.pathname === l[0]) a.setAttribute("aria-current", "page");
      n.appendChild(a);
    });
    n.appendChild(el("span", { class: "wie", text: (me.persoon || me.organisatie || "token " + me.token) + " · " + me.rol }));
    n.appendChild(el("button", { type: "button", class: "knop klein", text: "Afmelden", onclick: function () {
      forget();
      window.location.href = "/";
    } }));
    var foot = document.getElementById("knooppunt");
    if (foot) foot.textContent = "Knooppunt " + me.knooppunt.naam + " (" + me.knooppunt.id + ", " + me.knooppunt.rol + ")";
  }

  /* Start a page: who am I? Then run(me) when the role is enough. */
  function start(role, run) {
    takeTokenFromAddress();
    if (!token()) { showLogin(null); return; }
    api("GET", "/api/v1/me").then(function (res) {
      if (res.status !== 200) {
        if (res.status !== 401) showLogin(message(res));
        return;
      }
      me = res.data;
      nav();
      var main = document.getElementById("inhoud");
      if (!allowed(role)) {
        notice(main, "fout", "Met uw rol (" + me.rol + ") hebt u geen toegang tot deze pagina.");
        return;
      }
      run(me);
    });
  }

  function dateTime(iso) {
    if (!iso) return "–";
    var d = new Date(iso);
    if (isNaN(d.getTime())) return iso;
    return d.toLocaleString("nl-BE", { dateStyle: "medium", timeStyle: "short" });
  }

  /* "2025-03-15" -> "15 mrt. 2025" (a calendar date, no time zone). */
  function date(ymd) {
    if (!ymd) return "–";
    var d = new Date(ymd + "T00:00:00Z");
    if (isNaN(d.getTime())) return ymd;
    return d.toLocaleDateString("nl-BE", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
  }

  function ago(seconds) {
    if (seconds === null || seconds === undefined) return "–";
    if (seconds < 90) return seconds + " s geleden";
    if (seconds < 5400) return Math.round(seconds / 60) + " min geleden";
    if (seconds < 129600) return Math.round(seconds / 3600) + " u geleden";
    return Math.round(seconds / 86400) + " dagen geleden";
  }

  /* The taxonomy as maps code -> label per dimension. */
  function labels(tax) {
    var out = {};
    Object.keys(tax).forEach(function (dim) {
      out[dim] = {};
      tax[dim].forEach(function (e) { out[dim][e.code] = e.label; });
    });
    return out;
  }

  /* The dossier phases in order, and what they mean (docs/OPERATING.md, "Follow
   * up: dossiers"). */
  var PHASES = ["opmerken", "verzamelen", "bundelen", "analyseren", "rapporteren", "beslissing", "actie", "feedback"];
  var PHASE_HELP = {
    opmerken: "een mogelijk structureel probleem is opgemerkt",
    verzamelen: "signalen verzamelen bij de partners",
    bundelen: "signalen van verschillende organisaties bundelen",
    analyseren: "nagaan of het structureel is (de vier criteria)",
    rapporteren: "opnemen in de signalenbundel",
    beslissing: "het beleid beslist",
    actie: "acties lopen",
    feedback: "terugkoppeling aan de meldende organisaties"
  };
  var STATUS = { nieuw: "nieuw (niet gekoppeld)", gekoppeld: "in een dossier", afgesloten: "afgesloten" };

  /* A polite live region on the page (made once): screen readers read
   * what changed after an action without moving the focus. */
  function announce(text) {
    var r = document.getElementById("aankondiging");
    if (!r) {
      r = el("div", { id: "aankondiging", class: "schermlezer", role: "status", "aria-live": "polite" });
      document.body.appendChild(r);
    }
    r.textContent = "";
    window.setTimeout(function () { r.textContent = text; }, 50);
  }

  /* "wonen, energie" from codes, with the taxonomy's labels. */
  function codeList(names, dim, codes) {
    if (!codes || !codes.length) return "–";
    return codes.map(function (c) { return (names[dim] && names[dim][c]) || c; }).join(", ");
  }

  /* On the index page: show what the role may open. */
  function index() {
    start("veldwerker", function () {
      var list = document.getElementById("keuzes");
      Array.prototype.forEach.call(list.querySelectorAll("li"), function (li) {
        li.hidden = !allowed(li.getAttribute("data-rol"));
      });
      /* A field worker's view of /signalen is their own list. */
      var mine = list.querySelector("a[href='/signalen']");
      if (mine && !allowed("coordinator")) {
        mine.querySelector("strong").textContent = "Mijn signalen";
        mine.querySelector("span").textContent = "Uw signalen en wat ermee gebeurde: het dossier en de feedback aan uw organisatie.";
      }
      list.hidden = false;
    });
  }

  /* A table wider than its box scrolls sideways (.tabel-houder, on a
   * phone): then the box is a Tab stop with a name, so that keyboard
   * users can scroll it with the arrow keys; while the table fits, it is
   * no stop at all. Watched for as long as the page lives (rows come and
   * go, the window turns). */
  function scrollers() {
    if (typeof ResizeObserver !== "function") return;
    Array.prototype.forEach.call(document.querySelectorAll(".tabel-houder"), function (box) {
      function check() {
        if (box.scrollWidth > box.clientWidth + 1) {
          if (box.getAttribute("tabindex") === "0") return;
          var cap = box.querySelector("caption"), sec = box.closest("section, article");
          var head = sec ? sec.querySelector("h2, h3") : null;
          var name = (cap && cap.textContent.trim()) || (head && head.textContent.trim()) || "Tabel";
          box.setAttribute("tabindex", "0");
          box.setAttribute("role", "region");
          box.setAttribute("aria-label", name + " (tabel, schuift opzij)");
        } else if (box.hasAttribute("tabindex")) {
          box.removeAttribute("tabindex");
          box.removeAttribute("role");
          box.removeAttribute("aria-label");
        }
      }
      var watch = new ResizeObserver(check);
      watch.observe(box);
      if (box.firstElementChild) watch.observe(box.firstElementChild);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", scrollers);
  else scrollers();

  return { api: api, el: el, clear: clear, notice: notice, message: message, start: start, tokenId: tokenId,
           dateTime: dateTime, date: date, ago: ago, labels: labels, index: index, allowed: allowed,
           PHASES: PHASES, PHASE_HELP: PHASE_HELP, STATUS: STATUS, announce: announce,
           codeList: codeList };
})();

if (document.body && document.body.getAttribute("data-pagina") === null &&
    document.getElementById("keuzes")) {
  LS.index();
}
