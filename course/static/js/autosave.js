/* Autosave for the budget tool: nothing written is lost (SECURITY.md promises 1 and 2).
 *
 * htmx does the saving: every field is a small form[data-autosave] that posts itself shortly
 * after typing stops. This file keeps the screen honest about it:
 *   - each field's status says "Saving…", and "Not saved – retrying" when the network or the
 *     server fails; the text stays in the box and the save is retried with back-off, and at
 *     once when the browser comes back online;
 *   - 409 (someone else saved the same field) and 422 (a refused value) are shown by the
 *     server's own answer; the field stays marked until the citizen chooses;
 *   - leaving the page while anything is unsaved, being saved or refused asks first;
 *   - a moved budget line (204 from the server) is moved in the page, so no text being typed
 *     elsewhere is re-rendered away.
 */
(function () {
  "use strict";

  if (window.tetenAutosave) return; // the script may be included by more than one partial
  window.tetenAutosave = true;

  var body = document.body;
  var FIRST_RETRY_MS = 1000;
  var LAST_RETRY_MS = 10000;
  //: States in which the text on screen is not (yet) what the server has.
  var UNSAVED = { dirty: 1, saving: 1, retrying: 1, failed: 1, conflict: 1, invalid: 1 };

  // The status texts (translated) sit once on the page's editor root, not on every field.
  function message(form, name) {
    var holder = form.closest("[data-msg-saving]");
    return holder ? holder.dataset[name] : "";
  }

  function formOf(element) {
    return element && element.closest ? element.closest("form[data-autosave]") : null;
  }

  function statusOf(form) {
    return form.querySelector(".save-status");
  }

  function setState(form, state, text) {
    form.dataset.state = state;
    var status = statusOf(form);
    if (status && text !== undefined) status.textContent = text;
    summarise();
  }

  function summarise() {
    var summary = document.getElementById("save-summary");
    var editor = document.getElementById("budget-editor");
    if (!summary || !editor) return;
    var counts = {};
    document.querySelectorAll("form[data-autosave]").forEach(function (form) {
      var state = form.dataset.state || "saved";
      counts[state] = (counts[state] || 0) + 1;
    });
    var state = "saved";
    var text = editor.dataset.msgAllSaved;
    if (counts.retrying) {
      state = "retrying"; text = editor.dataset.msgRetrying;
    } else if (counts.saving || counts.dirty) {
      state = "saving"; text = editor.dataset.msgSaving;
    } else if (counts.conflict || counts.invalid || counts.failed) {
      state = "problem"; text = editor.dataset.msgProblem;
    }
    summary.dataset.state = state;
    if (summary.textContent !== text) summary.textContent = text;
  }

  // -- typing: the field is dirty until a save of this very text comes back ---------------------
  function edited(event) {
    var form = formOf(event.target);
    if (!form) return;
    form._edits = (form._edits || 0) + 1;
    if (form.dataset.state !== "retrying" && form.dataset.state !== "conflict") {
      setState(form, "dirty", message(form, "msgSaving"));
    } else {
      summarise();
    }
  }
  // Only "input" counts as an edit: "change" follows it with the same value (and htmx sends
  // that at once, in place of the pending delayed save).
  document.addEventListener("input", edited);

  body.addEventListener("htmx:configRequest", function (event) {
    var form = formOf(event.detail.elt);
    if (form) form._sending = form._edits || 0;
  });

  body.addEventListener("htmx:beforeRequest", function (event) {
    var form = formOf(event.detail.elt);
    if (form && form.dataset.state === "conflict" && event.detail.elt === form) {
      // A conflict waits for the person's choice ("keep mine" / "use the saved one"); a
      // stray automatic save (e.g. "change" on leaving the field) would only conflict again
      // and could land after the choice.
      event.preventDefault();
      return;
    }
    if (form && event.detail.requestConfig && event.detail.requestConfig.verb === "post") {
      if (form.dataset.state !== "retrying") setState(form, "saving", message(form, "msgSaving"));
    }
  });

  function markInvalid(form, invalid) {
    form.querySelectorAll("input[name=value], textarea[name=value], select[name=value]")
      .forEach(function (input) {
        if (input.type === "hidden") return;
        if (invalid) input.setAttribute("aria-invalid", "true");
        else input.removeAttribute("aria-invalid");
      });
  }

  function retryLater(form) {
    form._failures = (form._failures || 0) + 1;
    var delay = Math.min(FIRST_RETRY_MS * Math.pow(2, form._failures - 1), LAST_RETRY_MS);
    clearTimeout(form._retry);
    form._retry = setTimeout(function () { retryNow(form); }, delay);
  }

  function retryNow(form) {
    clearTimeout(form._retry);
    if (!document.body.contains(form) || form.dataset.state !== "retrying") return;
    htmx.trigger(form, "autosave:retry");
  }

  function finished(event) {
    var form = formOf(event.detail.elt);
    if (!form || !event.detail.requestConfig || event.detail.requestConfig.verb !== "post") return;
    var xhr = event.detail.xhr;
    var code = xhr ? xhr.status : 0;
    if (code >= 200 && code < 300) {
      form._failures = 0;
      clearTimeout(form._retry);
      markInvalid(form, false);
      if ((form._edits || 0) === form._sending) {
        setState(form, "saved"); // the server's answer has put "Saved" in the status
      } else {
        setState(form, "dirty", message(form, "msgSaving")); // newer text is on its way
      }
    } else if (code === 409) {
      setState(form, "conflict");
    } else if (code === 422) {
      markInvalid(form, true);
      setState(form, "invalid");
    } else if (code === 0 || code >= 500) {
      setState(form, "retrying", message(form, "msgRetrying"));
      retryLater(form);
    } else {
      // Signed out, the form expired, or the field is gone: say so; the text stays in the box.
      var type = (xhr && xhr.getResponseHeader("Content-Type")) || "";
      var reason = type.indexOf("text/plain") === 0 ? xhr.responseText : "";
      setState(form, "failed", message(form, "msgFailed") + (reason ? " – " + reason : ""));
    }
  }
  body.addEventListener("htmx:afterRequest", finished);
  body.addEventListener("htmx:sendError", function (event) {
    var form = formOf(event.detail.elt);
    if (form && form.dataset.state !== "retrying") {
      setState(form, "retrying", message(form, "msgRetrying"));
      retryLater(form);
    }
  });

  // A field put back as saved ("use the saved one") replaces its form: count again.
  body.addEventListener("htmx:afterSwap", summarise);

  window.addEventListener("online", function () {
    document.querySelectorAll("form[data-autosave][data-state=retrying]").forEach(function (form) {
      form._failures = 0;
      retryNow(form);
    });
  });

  // -- leaving with unsaved text asks first ----------------------------------------------------
  window.addEventListener("beforeunload", function (event) {
    var unsaved = false;
    document.querySelectorAll("form[data-autosave]").forEach(function (form) {
      if (UNSAVED[form.dataset.state]) unsaved = true;
    });
    document.querySelectorAll("form.strategy-add input[name=text]").forEach(function (input) {
      if (input.value.trim()) unsaved = true;
    });
    if (unsaved) {
      event.preventDefault();
      event.returnValue = ""; // older browsers need it set to show the question
    }
  });

  // -- moving a budget line: the server said 204, so move it here too ---------------------------
  body.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (!form.matches || !form.matches("form[data-move]") || event.detail.xhr.status !== 204) return;
    var line = form.closest("li");
    if (!line) return;
    if (form.dataset.move === "up" && line.previousElementSibling) {
      line.parentNode.insertBefore(line, line.previousElementSibling);
    } else if (form.dataset.move === "down" && line.nextElementSibling) {
      line.parentNode.insertBefore(line.nextElementSibling, line);
    }
    var button = form.querySelector("button");
    if (button) button.focus();
  });

  // -- a folded budget line, opened: its heading takes the focus the "open" link had ----------
  body.addEventListener("htmx:afterSettle", function (event) {
    var heading = event.detail.elt && event.detail.elt.querySelector
      ? event.detail.elt.querySelector(".line-heading[data-opened]") : null;
    if (!heading) return;
    heading.removeAttribute("data-opened");
    heading.focus();
  });

  // -- the print view's button ------------------------------------------------------------------
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  summarise();
})();
