/* Teten's browser glue: visible errors, the idle warning, and the Socket.IO → htmx bridge.
 *
 * Writes go over HTTP (htmx). The server pushes rendered fragments after each commit:
 *   live:fragments {stream, seq, fragments: [{target, html, swap?, fallback?}]}
 * Each fragment replaces what is inside #target, or, with swap, is swapped as htmx names it
 * ("outerHTML": the element itself; "afterbegin": put on top; "afterend": put after it;
 * "delete": taken off; "refetch": the page reads that region afresh, for a region that differs
 * from person to person). An element put in that the page already has is left. A list with
 * data-live-max keeps that many children, the first ones. A fragment whose #target this page
 * lacks but that names a fallback region (a row added since the page loaded) re-fetches that
 * region.
 * Each stream (an audience room) is numbered. A gap in the numbers, or a reconnect, makes the
 * page re-fetch every region marked data-live-src over HTTP, so nothing pushed while the socket
 * was down is ever missed.
 */
(function () {
  "use strict";

  var body = document.body;

  // -- the projector's reaction burst: gone when its fade ends (its region then hides) -----
  document.addEventListener("animationend", function (event) {
    var burst = event.target;
    if (burst.classList && burst.classList.contains("reaction-burst")) burst.remove();
  });

  // -- visible errors: a failed htmx request never fails silently --------------------------
  var toast = document.getElementById("toast");
  var toastTimer = null;

  function showToast(text) {
    if (!toast) return;
    toast.textContent = text;
    toast.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { toast.hidden = true; }, 8000);
  }

  body.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var type = xhr.getResponseHeader("Content-Type") || "";
    var text = xhr.responseText || "";
    showToast(type.indexOf("text/plain") === 0 && text.length < 400 ? text : body.dataset.msgError);
  });
  // A refusal without a message slot beside its form (web.refuse) leaves the page as it is
  // and says why here.
  body.addEventListener("teten:refused", function (event) {
    showToast((event.detail && event.detail.message) || body.dataset.msgError);
  });
  body.addEventListener("htmx:sendError", function (event) {
    // Autosaving fields say "not saved — retrying" themselves; no toast on top of that.
    if (event.detail.elt && event.detail.elt.closest && event.detail.elt.closest("[data-autosave]")) return;
    showToast(body.dataset.msgOffline);
  });

  // -- idle warning: sessions end on the server; say so before it happens ------------------
  var idleSeconds = Number(body.dataset.idleSeconds || 0);
  var warnSeconds = Number(body.dataset.idleWarningSeconds || 0);
  var idleDialog = document.getElementById("idle-dialog");
  var lastActivity = Date.now();

  function touched() {
    lastActivity = Date.now();
    if (idleDialog && idleDialog.open) idleDialog.close();
  }

  if (idleSeconds > 0) {
    body.addEventListener("htmx:afterRequest", function (event) {
      if (event.detail.successful) touched();
    });
    setInterval(function () {
      var idle = (Date.now() - lastActivity) / 1000;
      if (idle >= idleSeconds) {
        window.location.reload(); // the server has ended the session: this shows sign-in
      } else if (idle >= idleSeconds - warnSeconds && idleDialog && !idleDialog.open) {
        idleDialog.showModal();
      }
    }, 10000);
  }

  // -- countdowns: the server sends where the clock stands; the browser ticks it ------------
  function secondsLeft(clock) {
    var remaining = Number(clock.dataset.remaining);
    if (clock.dataset.endsAt) {
      // Correct for this device's clock: the server's "now" arrived with the fragment.
      var offset = Number(clock.dataset.serverNow) - Number(clock.dataset.receivedAt || Date.now());
      remaining = Math.round((Number(clock.dataset.endsAt) - (Date.now() + offset)) / 1000);
    }
    return remaining;
  }
  function tick() {
    // a time said in whole minutes ("Round: 12 min. left"), beside a screen's one clock
    document.querySelectorAll("[data-minutes-left]").forEach(function (clock) {
      var remaining = secondsLeft(clock);
      var minutes = Math.ceil(remaining / 60);
      var text = minutes > 0 ? clock.dataset.left.replace("{n}", String(minutes)) : clock.dataset.up;
      if (clock.textContent !== text) clock.textContent = text;
      clock.classList.toggle("is-overrun", remaining < 0);
    });
    document.querySelectorAll("[data-countdown]").forEach(function (clock) {
      var remaining = secondsLeft(clock);
      var abs = Math.abs(remaining);
      var text = (remaining < 0 ? "-" : "") + Math.floor(abs / 60) + ":" + String(abs % 60).padStart(2, "0");
      if (clock.textContent !== text) clock.textContent = text;
      clock.classList.toggle("is-overrun", remaining < 0);
    });
  }
  function stampCountdowns(root) {
    (root || document).querySelectorAll("[data-countdown], [data-minutes-left]").forEach(function (clock) {
      if (!clock.dataset.receivedAt) clock.dataset.receivedAt = String(Date.now());
    });
  }
  stampCountdowns();
  body.addEventListener("htmx:afterSettle", function (event) { stampCountdowns(event.target); });
  body.addEventListener("htmx:load", function (event) { stampCountdowns(event.target); });
  setInterval(tick, 1000);

  // -- the projector's stage: each zone's text shrinks to fit the zone ------------------------
  // app.css sizes every text of the stage max(floor, --fit × its size); here each zone marked
  // data-fit gets the largest --fit (1 at most) at which nothing in it overflows. The zones
  // around main go first: their heights make main's. When main does not fit even with all its
  // text at the floor, the others give way (their text towards the floor too), and then main's
  // data-fit-drop parts are hidden, lowest number first (the "now" line, an item's
  // description, a board's title). A course name too long for one line even at the floor
  // wraps.
  var stage = document.querySelector(".stage");
  var FLOOR_FIT = 0.2; // every --size of the stage times this is below the floor
  var GIVE_WAY = [0.6, FLOOR_FIT];

  function overflows(zone) {
    var boxes = [zone].concat(Array.prototype.slice.call(zone.querySelectorAll("*")));
    return boxes.some(function (box) {
      if (box.clientWidth <= 1 || box.clientHeight <= 1) return false; // inline or screen-reader only
      return box.scrollHeight > box.clientHeight + 1 || box.scrollWidth > box.clientWidth + 1;
    });
  }

  function setFit(zone, fit) { zone.style.setProperty("--fit", String(fit)); }

  function fitZone(zone, dropping) {
    setFit(zone, 1);
    zone.querySelectorAll(".is-wrapped").forEach(function (el) { el.classList.remove("is-wrapped"); });
    zone.querySelectorAll("[data-fit-drop]").forEach(function (el) { el.hidden = false; });
    if (!overflows(zone)) return true;
    setFit(zone, FLOOR_FIT);
    var course = zone.querySelector(".projector-course");
    if (overflows(zone) && course) course.classList.add("is-wrapped");
    if (dropping) {
      var drops = Array.prototype.slice.call(zone.querySelectorAll("[data-fit-drop]"));
      drops.sort(function (a, b) { return Number(b.dataset.fitDrop) - Number(a.dataset.fitDrop); });
      while (overflows(zone) && drops.length) drops.pop().hidden = true;
    }
    if (overflows(zone)) return false;
    var low = FLOOR_FIT, high = 1;
    for (var step = 0; step < 8; step += 1) {
      var middle = (low + high) / 2;
      setFit(zone, middle);
      if (overflows(zone)) high = middle; else low = middle;
    }
    setFit(zone, low);
    return true;
  }

  function fitStage() {
    if (!stage) return;
    var zones = Array.prototype.slice.call(stage.querySelectorAll("[data-fit]"));
    var main = stage.querySelector(".stage-main[data-fit]");
    var around = zones.filter(function (zone) { return zone !== main; });
    // (a zone around main drops its own data-fit-drop parts: the idea wall's least common words)
    around.forEach(function (zone) { fitZone(zone, true); });
    if (main && !fitZone(main, false)) {
      var fits = GIVE_WAY.some(function (most) {
        around.forEach(function (zone) {
          var fit = Number(zone.style.getPropertyValue("--fit") || 1);
          setFit(zone, Math.min(fit, most));
        });
        return fitZone(main, false);
      });
      if (!fits) fitZone(main, true);
    }
    stage.dataset.fitted = String(Number(stage.dataset.fitted || 0) + 1);
  }

  if (stage) {
    fitStage();
    if (document.fonts && document.fonts.ready) document.fonts.ready.then(fitStage);
    window.addEventListener("resize", fitStage);
    body.addEventListener("htmx:afterSwap", fitStage);
    body.addEventListener("htmx:afterSettle", fitStage);
  }

  // -- keyboard shortcuts for the console (never while typing) -------------------------------
  // A key sends its button's form as htmx would, never by a click: right after a swap (a push,
  // the answer to the previous key) htmx has not processed the new form yet — it does so when
  // the swap settles — and a click would submit it as a plain form, reloading the console
  // (into a bare error page when the move is refused). Keys go one at a time, in the order
  // pressed, each after the answer to the one before has been swapped in: each acts on the
  // screen the one before left (space toggles the pause the screen shows), and none is lost
  // to a form that is being replaced.
  // A button may answer to several keys (data-shortcut="n pagedown"): the speaker's view turns
  // pages with →/n and with PageDown (what presentation clickers send).
  var KEYS = { ArrowRight: "n", ArrowLeft: "p", " ": "k" };

  function shortcut(key) {
    return '[data-shortcut~="' + (window.CSS && CSS.escape ? CSS.escape(key) : key) + '"]';
  }
  var pressed = [];
  var sendingKey = false;

  function sendNextKey() {
    if (sendingKey || !pressed.length) return;
    var button = document.querySelector(shortcut(pressed.shift()));
    var form = button && !button.disabled ? button.form : null;
    var path = form && form.getAttribute("hx-post");
    if (!path) {
      // not on this screen any more (the day has ended meanwhile): the key does nothing
      sendNextKey();
      return;
    }
    sendingKey = true;
    function sent() {
      sendingKey = false;
      sendNextKey();
    }
    // with the form as its source: the form's fields, hx-target and hx-swap, the page's
    // headers; the promise settles once the answer is swapped in (or has failed)
    htmx.ajax("POST", path, { source: form }).then(sent, sent);
  }

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (target.closest && target.closest("input, textarea, select, [contenteditable]")) return;
    var key = KEYS[event.key] || event.key.toLowerCase();
    if (!document.querySelector(shortcut(key))) return;
    event.preventDefault();
    pressed.push(key);
    sendNextKey();
  });

  // -- forms that empty themselves after a successful send (e.g. a question) ----------------
  body.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (form && form.matches && form.matches("form[data-reset-on-success]") &&
        event.detail.xhr && event.detail.xhr.status === 200) {
      form.reset();
    }
  });

  // -- the live bridge ---------------------------------------------------------------------
  if (!body.dataset.liveStreams || typeof io === "undefined") return;

  var known = JSON.parse(body.dataset.liveStreams);
  var status = document.getElementById("live-status");
  var everConnected = false;

  function setStatus(online) {
    if (!status) return;
    status.textContent = online ? status.dataset.online : status.dataset.offline;
    status.classList.toggle("is-offline", !online);
    body.classList.toggle("is-offline", !online);
  }

  // While a live region is being read over HTTP — fetched afresh after a gap, or the answer to
  // this page's own request into it (a facilitator's "+5 min.", a phone's question) — pushes
  // are held and applied after the answer: an answer is read on the server at some moment
  // while it is on its way, and a push that arrives meanwhile may announce a change made after
  // that moment, which the answer would wipe out if it came last (a comment that came in
  // while the console's board was being sent). A held push whose change the answer already
  // has is applied again harmlessly (every swap is idempotent: a comment already listed is
  // not listed twice); pushes keep their order.
  var reading = 0;
  var held = [];

  // One more reading under way; the function returned ends it (once, whatever calls it).
  function holdPushes() {
    var done = false;
    reading += 1;
    var timer = setTimeout(release, 10000); // an answer that never comes must not hold them
    function release() {
      if (done) return;
      done = true;
      clearTimeout(timer);
      reading -= 1;
      if (reading > 0) return;
      var replay = held;
      held = [];
      replay.forEach(applyFragments);
    }
    return release;
  }

  function refetch(regions) {
    regions.forEach(function (region) {
      var release = holdPushes();
      // Each region on its own request: not htmx.ajax, whose per-element queue ("queue last"
      // on <body>, the source of every ajax call without one) sent only the last region of a
      // page and resolved the others at once, before anything had arrived.
      fetch(region.dataset.liveSrc, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error(response.status);
          return response.text();
        })
        .then(function (html) { htmx.swap(region, html, { swapStyle: "innerHTML" }); })
        .then(release, release);
    });
  }

  // This page's own htmx requests into a live region (or around one): held the same way until
  // the answer is in ("loadend" comes after htmx has swapped it, or after the request failed;
  // "beforeSend": a request no listener has called off).
  body.addEventListener("htmx:beforeSend", function (event) {
    var target = event.detail.target;
    var xhr = event.detail.xhr;
    if (!target || !xhr || !target.closest) return;
    if (!target.closest("[data-live-src]") && !target.querySelector("[data-live-src]")) return;
    xhr.addEventListener("loadend", holdPushes());
  });

  function refetchRegions() {
    refetch(Array.prototype.slice.call(document.querySelectorAll("[data-live-src]")));
  }

  var INSERTS = ["afterbegin", "beforeend", "afterend", "beforebegin"];

  // A ping for a region that differs from person to person (realtime.refetch_for): this page
  // reads its own region afresh. Pings that arrive while one is pending are one read; a region
  // with data-live-spread waits a random part of that many milliseconds first, so a room of
  // phones does not ask in the same instant.
  function refetchSoon(region) {
    if (!region.dataset.liveSrc || region.dataset.liveRefetching) return;
    region.dataset.liveRefetching = "1";
    var spread = Number(region.dataset.liveSpread || 0);
    setTimeout(function () {
      delete region.dataset.liveRefetching;
      refetch([region]);
    }, Math.floor(Math.random() * spread));
  }

  function applyFragments(fragments) {
    fragments.forEach(function (fragment) {
      var region = document.getElementById(fragment.target);
      if (fragment.swap === "refetch") {
        if (region) refetchSoon(region);
        return;
      }
      if (!region) {
        // a part of a region this page has without that part (a row added since it loaded):
        // the region afresh
        var home = fragment.fallback && document.getElementById(fragment.fallback);
        if (home && home.dataset.liveSrc) refetch([home]);
        return;
      }
      if (INSERTS.indexOf(fragment.swap) >= 0) {
        // an element put in (a comment on top of a list, a plan's tile after its neighbour's)
        // that this page already has, read afresh while the push was held: leave it
        var probe = document.createElement("template");
        probe.innerHTML = fragment.html;
        var item = probe.content.firstElementChild;
        if (item && item.id && document.getElementById(item.id)) return; // listed already
      }
      htmx.swap(region, fragment.html, { swapStyle: fragment.swap || "innerHTML" });
      var max = Number(region.dataset.liveMax || 0);
      while (max && region.children.length > max) region.removeChild(region.lastElementChild);
    });
  }

  var auth = body.dataset.displayToken ? { display: body.dataset.displayToken }
    : body.dataset.speakerToken ? { speaker: body.dataset.speakerToken } : {};
  // The course this page is a device of, when the processes own courses: the balancer routes
  // the socket by it (docs/nginx.conf), on every request of the socket.
  var socket = io(body.dataset.liveCourse ? { auth: auth, query: { course: body.dataset.liveCourse } }
    : { auth: auth });

  socket.on("live:hello", function (message) {
    var stale = everConnected;
    Object.keys(message.streams).forEach(function (stream) {
      if (known[stream] !== message.streams[stream]) stale = true;
      known[stream] = message.streams[stream];
    });
    everConnected = true;
    setStatus(true);
    if (stale) refetchRegions();
    body.dataset.liveReady = "true";
  });

  socket.on("live:fragments", function (message) {
    var last = known[message.stream];
    known[message.stream] = Math.max(message.seq, last || 0);
    if (last !== undefined && message.seq !== last + 1) {
      refetchRegions(); // a gap or a repeat: ask the server for the truth
      return;
    }
    if (reading > 0) held.push(message.fragments);
    else applyFragments(message.fragments);
  });

  // A push can be lost without a gap to show it: the message queue between the server
  // processes was down while nothing else happened here. Now and then (and whenever the page
  // comes back to the foreground) ask where each stream stands, and read afresh what moved.
  function syncStreams() {
    if (!socket.connected) return;
    socket.emit("live:sync", function (answer) {
      if (!answer || !answer.streams) return;
      var moved = false;
      Object.keys(answer.streams).forEach(function (stream) {
        if (known[stream] !== undefined && answer.streams[stream] > known[stream]) {
          known[stream] = answer.streams[stream];
          moved = true;
        }
      });
      if (moved) refetchRegions();
    });
  }
  setInterval(syncStreams, 30000 + Math.floor(Math.random() * 5000));
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") syncStreams();
  });

  socket.on("disconnect", function (reason) {
    setStatus(false);
    if (reason === "io server disconnect") {
      // The server ended this session (sign-out elsewhere, a revoked screen): show why.
      window.location.reload();
    }
  });

  socket.on("connect_error", function (error) {
    setStatus(false);
    if (error && error.message === "sign in first") window.location.reload();
  });
})();
