/*
 * Lokaal Signaal: what every page shares. The pages talk only to this
 * node's JSON API (docs/API.md) with a bearer token the user enters once
 * (or opens once as /invoer#token=...); the token stays in this browser's
 * localStorage until "Afmelden". No external assets, no inline scripts:
 * the Content-Security-Policy of the node allows only this origin.
 *
 * What the pages keep in this browser (localStorage; nothing in
 * sessionStorage, cookies or the HTTP cache: the API answers
 * "Cache-Control: no-store"): the token, the queue of captures not yet
 * sent (LS.queue below; web/invoer.js fills it), and the signals kept
 * at sign-out, sealed. "Afmelden" leaves nothing of the user readable:
 * the token goes, and when signals of theirs still wait, a dialog asks
 * whether to send them now, keep them on this device until they sign in
 * here again, or delete them. Other people's waiting signals stay (they
 * are theirs, and never shown or sent with this token). A page whose
 * token is changed or removed in another tab reloads, so that it stops
 * showing what the previous user saw.
 *
 * Kept signals are sealed (docs/WEB.md, "Signals not yet sent"): the
 * attacker is the next person at this browser, with the devtools and a
 * valid token of their own (another person's). /api/v1/me gives each
 * owner (role, organisation, person) a key of its own (wachtrij_sleutel,
 * keyed by the node's keys/web.secret; every token of that owner gets
 * the same one). "Bewaren en afmelden" encrypts each of the user's items
 * with AES-GCM under a key derived from it (HKDF-SHA-256, fresh 12-byte
 * IV per item): the body, the owner and the time are inside; in clear
 * stay only the Idempotency-Key (random), the secret's version and a
 * tag (HMAC of the item's key under another derived key) that lets the
 * owner's page find its items and shows nobody else who made them, or
 * that two were made by one person. The clear fields are the
 * ciphertext's associated data: changing one breaks it. At the next
 * sign-in of the same owner (any of their tokens) the page opens its
 * items back into the queue, and sends them as before; an item whose
 * tag is theirs but that does not open (changed on this device) is
 * reported and never sent. Without crypto.subtle or without the key,
 * "Bewaren" is not offered: never a plain-text fallback.
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

  /* The queue of captures not yet sent (docs/API.md, "Retries";
   * web/invoer.js makes them): [{key, owner, body, at}] under one key
   * of localStorage, shared by whoever uses this browser. An item
   * belongs to whom the token that made it stands for (owner: role,
   * organisation, person); a page sees, sends and deletes only its own
   * user's items. Sends run one at a time, in the order asked (a
   * capture's first send and a flush never overlap). */
  var QUEUE = "signaal.wachtrij";
  var queueWatchers = [], queueChain = Promise.resolve(), queuePending = 0;

  function queueAll() {
    try {
      var q = JSON.parse(localStorage.getItem(QUEUE) || "[]");
      return Array.isArray(q) ? q : [];
    } catch (e) { return []; }
  }

  /* An empty queue leaves no key behind. */
  function queueSave(q) {
    try {
      if (q.length) localStorage.setItem(QUEUE, JSON.stringify(q));
      else localStorage.removeItem(QUEUE);
    } catch (e) { /* private mode: kept in memory only */ }
    queueNotify(q);
  }

  function queueNotify(q) {
    queueWatchers.forEach(function (fn) { fn(q); });
  }

  /* Whom this page's token stands for. */
  function queueOwner() {
    return me ? [me.rol, me.organisatie || "", me.persoon || ""].join("\n") : "";
  }

  /* The part of q this page may show, send or delete: its user's.
   * Nothing before the page knows its user, or when another tab changed
   * the token since (the reload that follows knows the new one). An
   * item of an older page, without an owner, is taken as this page's. */
  function queueMine(q) {
    if (!me) return [];
    var id = tokenId(), o = queueOwner();
    if (id && id !== me.token) return [];
    return (q || queueAll()).filter(function (x) { return !x.owner || x.owner === o; });
  }

  function queueAdd(item) {
    var q = queueAll();
    q.push(item);
    queueSave(q);
  }

  function queueRemove(key) {
    queueSave(queueAll().filter(function (x) { return x.key !== key; }));
  }

  /* Delete this page's user's items; returns how many. */
  function queueDropMine() {
    var q = queueAll(), own = queueMine(q);
    queueSave(q.filter(function (x) { return own.indexOf(x) < 0; }));
    return own.length;
  }

  /* An answer that says nothing about the signal: it stays queued. */
  function queueUnanswered(status) {
    return status === 0 || status === 401 || status === 408 || status === 429 || status >= 500;
  }

  function queueSerial(op) {
    queuePending++;
    var run = queueChain.then(op);
    queueChain = run.then(function () { queuePending--; }, function () { queuePending--; });
    return run;
  }

  function queuePost(item) {
    return api("POST", "/api/v1/signals", item.body, { "Idempotency-Key": item.key });
  }

  /* POST one item with its key (after any send under way); resolves
   * to the API's {status, data}. */
  function queueSend(item) {
    return queueSerial(function () { return queuePost(item); });
  }

  /* Send this user's items, oldest first, one at a time; stop at the
   * first that gets no answer. An answered item leaves the queue (a
   * refusal too: the node will never take it). Resolves to {sent,
   * refused: [API answers], left, stopped: the answer that stopped it
   * or null}. */
  function queueFlush() {
    return queueSerial(function () {
      var q = queueMine(queueAll()), out = { sent: 0, refused: [], left: 0, stopped: null };
      function next(i) {
        if (i >= q.length) return Promise.resolve();
        return queuePost(q[i]).then(function (res) {
          if (queueUnanswered(res.status)) { out.stopped = res; return; }
          queueRemove(q[i].key);
          if (res.status === 201) out.sent++;
          else out.refused.push(res);
          return next(i + 1);
        });
      }
      return next(0).then(function () {
        out.left = queueMine(queueAll()).length;
        return out;
      });
    });
  }

  /* --- kept signals, sealed (see the top of this file) --------------- */
  var SEALED = "signaal.verzegeld";
  var sealKeys = null;   /* {enc, tag, versie} for this page's user, or null */
  var sealDamaged = [];  /* Idempotency-Keys of this user's items that did not open */

  function sealedAll() {
    try {
      var s = JSON.parse(localStorage.getItem(SEALED) || "[]");
      return Array.isArray(s) ? s.filter(function (x) { return x && typeof x.key === "string"; }) : [];
    } catch (e) { return []; }
  }

  /* An empty list leaves no key behind. Throws when storage refuses. */
  function sealedSave(s) {
    if (s.length) localStorage.setItem(SEALED, JSON.stringify(s));
    else localStorage.removeItem(SEALED);
    queueNotify(queueAll());
  }

  function utf8(text) { return new TextEncoder().encode(text); }

  function b64(bytes) {
    var s = "", b = new Uint8Array(bytes);
    for (var i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
    return btoa(s);
  }

  function unb64(text) {
    var s = atob(text), b = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
    return b;
  }

  function subtle() {
    return window.isSecureContext && window.crypto && window.crypto.subtle ? window.crypto.subtle : null;
  }

  /* From /me's wachtrij_sleutel: an AES-GCM key and an HMAC key (HKDF,
   * one label each), neither extractable. Resolves to null when this
   * browser or this node cannot seal. */
  function sealSetup(who) {
    var sub = subtle(), raw = who.wachtrij_sleutel, versie = who.wachtrij_versie;
    delete who.wachtrij_sleutel;
    if (!sub || typeof raw !== "string" || typeof versie !== "string") return Promise.resolve(null);
    function derive(base, label, alg, uses) {
      return sub.deriveKey({ name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: utf8(label) },
        base, alg, false, uses);
    }
    return Promise.resolve().then(function () {
      var bytes = unb64(raw);
      if (bytes.length !== 32) throw new Error("key");
      return sub.importKey("raw", bytes, "HKDF", false, ["deriveKey"]);
    }).then(function (base) {
      return Promise.all([
        derive(base, "ls-web-queue-seal-v1", { name: "AES-GCM", length: 256 }, ["encrypt", "decrypt"]),
        derive(base, "ls-web-queue-tag-v1", { name: "HMAC", hash: "SHA-256", length: 256 }, ["sign"])]);
    }).then(function (k) {
      return { enc: k[0], tag: k[1], versie: versie };
    }, function () { return null; });
  }

  /* The item's tag: who may open it, told only to its owner's page. */
  function sealTag(key) {
    return subtle().sign("HMAC", sealKeys.tag, utf8("ls-web-queue-tag-v1\n" + key)).then(function (mac) {
      return b64(new Uint8Array(mac).slice(0, 16));
    });
  }

  function sealAad(x) {
    return utf8(JSON.stringify(["ls-web-queue-v1", x.key, x.versie, x.tag]));
  }

  /* A queue item, sealed: {key, versie, tag, iv, ct}. */
  function sealItem(item) {
    var iv = window.crypto.getRandomValues(new Uint8Array(12));
    var plain = utf8(JSON.stringify({ owner: item.owner || queueOwner(), body: item.body, at: item.at }));
    return sealTag(item.key).then(function (tag) {
      var x = { key: item.key, versie: sealKeys.versie, tag: tag, iv: b64(iv) };
      return subtle().encrypt({ name: "AES-GCM", iv: iv, additionalData: sealAad(x) }, sealKeys.enc, plain)
        .then(function (ct) { x.ct = b64(ct); return x; });
    });
  }

  /* What a sealed item is to this page: {item} when it opened, "damaged"
   * when its tag is this user's but it does not open (or does not hold
   * their signal), null when it is not theirs. */
  function sealOpen(x) {
    if (!sealKeys || x.versie !== sealKeys.versie || typeof x.tag !== "string") return Promise.resolve(null);
    return sealTag(x.key).then(function (tag) {
      if (tag !== x.tag) return null;
      return Promise.resolve().then(function () {
        return subtle().decrypt({ name: "AES-GCM", iv: unb64(x.iv), additionalData: sealAad(x) }, sealKeys.enc, unb64(x.ct));
      }).then(function (plain) {
        var v = JSON.parse(new TextDecoder().decode(plain));
        if (!v || v.owner !== queueOwner() || !v.body || typeof v.body !== "object") return "damaged";
        return { item: { key: x.key, owner: v.owner, body: v.body, at: v.at } };
      }, function () { return "damaged"; });
    });
  }

  /* At sign-in: this user's sealed items back into the queue (unless an
   * item with that key is there already), the rest as they were. */
  function sealOpenMine() {
    return queueSerial(function () {
      var list = sealedAll();
      if (!sealKeys || !list.length) return;
      return Promise.all(list.map(sealOpen)).then(function (res) {
        var opened = {}, damaged = [], add = [];
        res.forEach(function (r, i) {
          if (r === "damaged") damaged.push(list[i].key);
          else if (r) opened[list[i].key] = r.item;
        });
        sealDamaged = damaged;
        var q = queueAll();
        Object.keys(opened).forEach(function (k) {
          if (!q.some(function (x) { return x.key === k; })) add.push(opened[k]);
        });
        /* the queue first: a failure in between leaves a copy, never a loss */
        if (add.length) queueSave(q.concat(add));
        var left = sealedAll().filter(function (x) { return !opened[x.key]; });
        try { sealedSave(left); } catch (e) { /* sealed copies stay; deduped next time */ }
      });
    });
  }

  /* "Bewaren en afmelden": seal this user's items; resolves when they
   * are stored sealed and gone from the queue, rejects (nothing
   * changed) when sealing or storing fails. */
  function sealMine() {
    return queueSerial(function () {
      var own = queueMine(queueAll());
      if (!sealKeys) return Promise.reject(new Error("no key"));
      return Promise.all(own.map(sealItem)).then(function (sealed) {
        var q = queueAll(), gone = {};
        /* sent meanwhile (another tab): nothing to keep */
        sealed = sealed.filter(function (x) { return q.some(function (y) { return y.key === x.key; }); });
        sealed.forEach(function (x) { gone[x.key] = true; });
        sealedSave(sealedAll().filter(function (x) { return !gone[x.key]; }).concat(sealed));
        queueSave(q.filter(function (x) { return !gone[x.key]; }));
      });
    });
  }

  /* Delete this user's items that did not open; returns how many. */
  function sealDropDamaged() {
    var bad = sealDamaged, n = 0;
    sealedSave(sealedAll().filter(function (x) {
      if (bad.indexOf(x.key) < 0) return true;
      n++;
      return false;
    }));
    sealDamaged = [];
    return n;
  }

  /* Everything on this device that is not this user's queue: {others:
   * other people's (plain or sealed), lost: sealed under a web secret
   * this node no longer has, damaged: this user's that did not open}. */
  function queueElse() {
    var out = { others: queueAll().length - queueMine().length, lost: 0, damaged: 0 };
    var versie = sealKeys ? sealKeys.versie : null;
    sealedAll().forEach(function (x) {
      if (sealDamaged.indexOf(x.key) >= 0) out.damaged++;
      else if (versie && x.versie !== versie) out.lost++;
      else out.others++;
    });
    return out;
  }

  var queue = {
    all: queueAll, mine: queueMine, owner: queueOwner, add: queueAdd, remove: queueRemove,
    send: queueSend, flush: queueFlush, unanswered: queueUnanswered, other: queueElse,
    busy: function () { return queuePending > 0; },
    /* fn(q) after every change of the queue, also from another tab */
    watch: function (fn) { queueWatchers.push(fn); }
  };

  /* "3 signalen niet verzonden" in the header, for as long as some of
   * this user's wait: they know before they sign out. */
  function queueBadge() {
    var n = queueMine(queueAll()).length;
    var a = document.getElementById("wachtrij-teller");
    if (!a) return;
    a.hidden = n === 0;
    a.textContent = n === 1 ? "1 signaal niet verzonden" : n + " signalen niet verzonden";
  }

  /* Sign out: the token goes, and the queue loses its key when it is
   * empty. Nothing else of the user is kept in this browser. */
  function signOut() {
    forget();
    if (!queueAll().length) queueSave([]);
    window.location.href = "/";
  }

  /* Keep and sign out: sealed first; the token goes only when that
   * worked. Resolves to an error message, or never (signed out). */
  function keepAndSignOut() {
    return sealMine().then(signOut, function () {
      return "Bewaren lukte niet: de signalen konden op dit toestel niet versleuteld bewaard worden. Er is niets gewijzigd. Verstuur ze of verwijder ze.";
    });
  }

  /* "Afmelden" with signals of this user still waiting: a modal dialog
   * (native <dialog>: the page behind is inert, Escape cancels) that
   * says how many and offers to send them now (signing out when all are
   * stored), to keep them on this device until the user signs in here
   * again, or to delete them (after a second, explicit confirmation),
   * or to cancel. The focus goes into the dialog and back to the button
   * that opened it. */
  function logout(ev) {
    if (!queueMine(queueAll()).length) { signOut(); return; }
    logoutDialog(ev && ev.currentTarget);
  }

  function count(n) {
    return n === 1 ? "1 signaal" : n + " signalen";
  }

  /* Why the rest could not be sent, and what to do. */
  function why(res, left) {
    var st = res ? res.status : 0;
    if (st === 0) return "Versturen lukt nu niet: het knooppunt is niet bereikbaar. Probeer opnieuw zodra u verbinding hebt, of kies hieronder.";
    if (st === 401) return "Versturen lukt niet met dit token: " + message(res) + (sealKeys
      ? " Kies “Bewaren en afmelden” en meld u hier aan met het nieuwe token dat u van de beheerder krijgt: dan " + (left === 1 ? "wordt het" : "worden ze") + " verzonden."
      : " Kies “Annuleren” en meld u hier aan met het nieuwe token dat u van de beheerder krijgt (zonder af te melden): dan " + (left === 1 ? "wordt het" : "worden ze") + " verzonden.");
    return "Versturen lukt nu niet: " + message(res) + " Probeer zo dadelijk opnieuw, of kies hieronder.";
  }

  function logoutDialog(opener) {
    var done = false;
    var title = el("h2", { id: "afmelden-titel" });
    var text = el("p", { id: "afmelden-tekst" });
    var msg = el("p", { id: "afmelden-melding", class: "melding", tabindex: "-1", hidden: true });
    function hint(id, s) { return el("p", { id: id, class: "hint", text: s }); }
    var sendB = el("button", { type: "button", class: "knop", id: "afmelden-verstuur", "aria-describedby": "afmelden-verstuur-uitleg", text: "Nu versturen" });
    var keepB = el("button", { type: "button", class: "knop tweede", id: "afmelden-bewaar", "aria-describedby": "afmelden-bewaar-uitleg", text: "Bewaren en afmelden" });
    var dropB = el("button", { type: "button", class: "knop tweede gevaar", id: "afmelden-verwijder", "aria-describedby": "afmelden-verwijder-uitleg", text: "Verwijderen en afmelden" });
    var cancelB = el("button", { type: "button", class: "knop tweede", id: "afmelden-annuleer", text: "Annuleren" });
    var choose = el("div", { class: "dialoog-keuzes" },
      el("div", { class: "keuze" }, sendB, hint("afmelden-verstuur-uitleg", "Nu naar het knooppunt sturen. Daarna wordt u afgemeld.")),
      el("div", { class: "keuze" }, keepB, hint("afmelden-bewaar-uitleg", sealKeys
        ? "Ze blijven versleuteld op dit toestel tot u zich hier weer aanmeldt (met dit token of een nieuw token voor u), en worden dan verzonden. Niemand anders kan ze lezen of versturen."
        : "Bewaren kan hier niet: " + (subtle() ? "het knooppunt gaf geen sleutel om ze versleuteld te bewaren" : "deze browser kan ze niet versleutelen") +
          ". Verstuur ze, verwijder ze, of annuleer en blijf aangemeld.")),
      el("div", { class: "keuze" }, dropB, hint("afmelden-verwijder-uitleg", "Ze worden van dit toestel gewist en nooit verzonden. U bevestigt dit eerst.")));
    var sureB = el("button", { type: "button", class: "knop gevaar", id: "afmelden-verwijder-ja" });
    var backB = el("button", { type: "button", class: "knop tweede", id: "afmelden-terug", text: "Nee, terug" });
    var sure = el("div", { class: "knoppen", hidden: true }, sureB, backB);
    var outB = el("button", { type: "button", class: "knop", id: "afmelden-klaar", text: "Afmelden", hidden: true });
    var dlg = el("dialog", { id: "afmelden-dialoog", class: "dialoog", "aria-modal": "true",
      "aria-labelledby": "afmelden-titel", "aria-describedby": "afmelden-tekst" },
      title, text, msg, choose, sure, el("div", { class: "knoppen" }, outB, cancelB));

    function say(kind, s) {
      msg.className = "melding " + kind;
      msg.setAttribute("role", kind === "fout" ? "alert" : "status");
      msg.textContent = s;
      msg.hidden = !s;
    }
    /* The first step, with the count as it is now. */
    function ask() {
      var n = queueMine(queueAll()).length;
      title.textContent = n === 1 ? "Er wacht nog 1 signaal" : "Er wachten nog " + n + " signalen";
      text.textContent = (n === 1 ? "1 signaal dat u registreerde, is nog niet verzonden" : n + " signalen die u registreerde, zijn nog niet verzonden") +
        " naar het knooppunt. " + (n === 1 ? "Het staat" : "Ze staan") + " alleen op dit toestel. Wat wilt u doen?";
      choose.hidden = false;
      sure.hidden = true;
      outB.hidden = true;
    }
    function close() {
      done = true;
      if (dlg.open) dlg.close();
      if (dlg.parentNode) dlg.parentNode.removeChild(dlg);
      if (opener && opener.focus) opener.focus();
    }
    function enable(on) {
      [sendB, keepB, dropB].forEach(function (b) { b.disabled = !on; });
      keepB.disabled = !on || !sealKeys;
    }

    sendB.addEventListener("click", function () {
      enable(false);
      say("info", "Bezig met versturen…");
      msg.focus();
      queueFlush().then(function (r) {
        if (done) return;
        enable(true);
        if (r.left === 0 && r.refused.length === 0) { signOut(); return; }
        if (r.left > 0) {
          ask();
          say("fout", (r.sent ? count(r.sent) + " verzonden. " : "") + why(r.stopped, r.left));
        } else {
          title.textContent = "Versturen is klaar";
          text.textContent = "Er wacht niets meer op dit toestel.";
          choose.hidden = true;
          outB.hidden = false;
          say("fout", (r.sent ? count(r.sent) + " verzonden en bewaard. " : "") + count(r.refused.length) +
            " werd door het knooppunt geweigerd en is niet bewaard: " + r.refused.map(message).join(" "));
        }
        msg.focus();
      });
    });
    keepB.addEventListener("click", function () {
      enable(false);
      keepAndSignOut().then(function (err) {
        if (done) return;
        enable(true);
        say("fout", err);
        msg.focus();
      });
    });
    outB.addEventListener("click", signOut);
    dropB.addEventListener("click", function () {
      var n = queueMine(queueAll()).length;
      title.textContent = count(n) + " definitief verwijderen?";
      text.textContent = (n === 1 ? "Het signaal is" : "De signalen zijn") + " nog niet verzonden. Na het verwijderen " +
        (n === 1 ? "is het" : "zijn ze") + " weg: niemand kan " + (n === 1 ? "het" : "ze") + " nog terughalen.";
      sureB.textContent = "Ja, " + count(n) + " verwijderen en afmelden";
      say("", "");
      choose.hidden = true;
      sure.hidden = false;
      backB.focus();
    });
    backB.addEventListener("click", function () { ask(); sendB.focus(); });
    sureB.addEventListener("click", function () { queueDropMine(); signOut(); });
    cancelB.addEventListener("click", close);
    /* Escape: the dialog closes itself; this page stays as it was */
    dlg.addEventListener("cancel", function (e) { e.preventDefault(); close(); });

    ask();
    enable(true);
    document.body.appendChild(dlg);
    dlg.showModal();
    sendB.focus();
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
    n.appendChild(el("a", { id: "wachtrij-teller", class: "wachtrij-teller", href: "/invoer#wachtrij", hidden: true }));
    n.appendChild(el("span", { class: "wie", text: (me.persoon || me.organisatie || "token " + me.token) + " · " + me.rol }));
    n.appendChild(el("button", { type: "button", class: "knop klein", id: "afmelden", text: "Afmelden", onclick: logout }));
    queueBadge();
    var foot = document.getElementById("knooppunt");
    if (foot) foot.textContent = "Knooppunt " + me.knooppunt.naam + " (" + me.knooppunt.id + ", " + me.knooppunt.rol + ")";
  }

  /* The token this page started with. Another tab that signs out or
   * in with another token changes it: this page then reloads, and shows
   * nothing more of the previous user (its drafts included). A change
   * of the queue there updates the count here. */
  var pageToken = null;
  window.addEventListener("storage", function (ev) {
    if (ev.key === QUEUE || ev.key === SEALED) { queueNotify(queueAll()); return; }
    if ((ev.key === KEY || ev.key === null) && pageToken !== null && token() !== pageToken) window.location.reload();
  });
  queue.watch(queueBadge);

  /* Start a page: who am I? Then run(me) when the role is enough. */
  function start(role, run) {
    takeTokenFromAddress();
    pageToken = token();
    if (!token()) { showLogin(null); return; }
    api("GET", "/api/v1/me").then(function (res) {
      if (res.status !== 200) {
        if (res.status !== 401) showLogin(message(res));
        return;
      }
      me = res.data;
      /* this user's kept signals back into the queue before anything
       * counts or sends it */
      return sealSetup(me).then(function (k) {
        sealKeys = k;
        return sealOpenMine();
      }).then(null, function () { /* left sealed: opened next time */ }).then(function () {
        nav();
        var main = document.getElementById("inhoud");
        damagedNotice(main);
        if (!allowed(role)) {
          notice(main, "fout", "Met uw rol (" + me.rol + ") hebt u geen toegang tot deze pagina.");
          return;
        }
        run(me);
      });
    });
  }

  /* This user's kept signals that no longer open (changed on this
   * device): said, never sent, deleted when asked. */
  function damagedNotice(main) {
    var n = sealDamaged.length;
    if (!n || !main) return;
    var box = notice(main, "fout", (n === 1
      ? "1 signaal dat u op dit toestel bewaarde, kan niet meer geopend worden: het werd op dit toestel gewijzigd of beschadigd. Het wordt niet verzonden. "
      : n + " signalen die u op dit toestel bewaarde, kunnen niet meer geopend worden: ze werden op dit toestel gewijzigd of beschadigd. Ze worden niet verzonden. ") +
      "Registreer " + (n === 1 ? "het" : "ze") + " opnieuw als u de inhoud nog kent.");
    box.id = "beschadigd";
    box.appendChild(el("div", { class: "knoppen" }, el("button", { type: "button", class: "knop tweede klein", id: "beschadigd-verwijder",
      text: n === 1 ? "Dit signaal verwijderen" : "Deze " + n + " signalen verwijderen", onclick: function () {
        sealDropDamaged();
        box.parentNode.removeChild(box);
        announce(n === 1 ? "Het beschadigde signaal is verwijderd." : "De beschadigde signalen zijn verwijderd.");
      } })));
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

  return { api: api, queue: queue, el: el, clear: clear, notice: notice, message: message, start: start, tokenId: tokenId,
           dateTime: dateTime, date: date, ago: ago, labels: labels, index: index, allowed: allowed,
           PHASES: PHASES, PHASE_HELP: PHASE_HELP, STATUS: STATUS, announce: announce,
           codeList: codeList };
})();

if (document.body && document.body.getAttribute("data-pagina") === null &&
    document.getElementById("keuzes")) {
  LS.index();
}
