/* journeyline web chat: takes over the server-rendered transcript in chat.html.
 *
 * Rules this file keeps:
 * - Customer and guide text is only ever inserted with textContent (never innerHTML).
 * - No inline styles or handlers (the CSP forbids them); state is shown with classes,
 *   attributes and the `hidden` attribute.
 * - An answer is never dropped: it waits in an outbox (also kept in localStorage) until
 *   the server has acknowledged it, and a retry re-sends the SAME client_message_id so
 *   the server stores it once.
 * - The markup built here matches templates/_messages.html.
 */
(function () {
  "use strict";

  var app = document.getElementById("app");
  var stateEl = document.getElementById("state");
  if (!app || !stateEl) return;

  var state;
  try {
    state = JSON.parse(stateEl.textContent || "{}");
  } catch (err) {
    state = {};
  }

  var apiBase = app.getAttribute("data-api-base") || "/api/v1";
  var token = app.getAttribute("data-token") || "";
  var interviewId = app.getAttribute("data-interview-id") || state.interview_id || "";
  var company = app.getAttribute("data-company") || "";
  var maxChars = parseInt(app.getAttribute("data-max-chars"), 10) || state.max_chars || 4000;

  var log = document.getElementById("log");
  var form = document.getElementById("composer");
  var input = document.getElementById("answer");
  var sendButton = document.getElementById("send");
  var counter = document.getElementById("counter");
  var composerError = document.getElementById("composer-error");
  var banner = document.getElementById("banner");
  var bannerText = document.getElementById("banner-text");
  var typing = document.getElementById("typing");
  var progressLabel = document.getElementById("progress-label");
  var progressBar = document.getElementById("progress-bar");

  var FINISHED = { completed: true, declined: true };
  var BANNERS = {
    paused: "Saved. Come back to this link any time to continue.",
    completed: "Thank you! Your answers are saved. You can close this page now.",
    declined: "No problem. Nothing else will be stored. You can close this page now.",
  };
  var TYPING_DELAY_MS = 300;
  var REQUEST_TIMEOUT_MS = 20000;
  var OUTBOX_KEY = "journeyline:outbox:" + interviewId;
  var DRAFT_KEY = "journeyline:draft:" + interviewId;
  var reduceMotion =
    window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  var status = state.status || app.getAttribute("data-status") || "active";
  var queue = [];
  var pumping = false;
  var waitTimer = null;

  // ---------------------------------------------------------------- small helpers

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function newMessageId() {
    var c = window.crypto;
    if (c && typeof c.randomUUID === "function") return c.randomUUID();
    if (c && typeof c.getRandomValues === "function") {
      var b = c.getRandomValues(new Uint8Array(16));
      b[6] = (b[6] & 0x0f) | 0x40;
      b[8] = (b[8] & 0x3f) | 0x80;
      var hex = Array.prototype.map.call(b, function (x) {
        return (x + 0x100).toString(16).slice(1);
      }).join("");
      return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
    }
    return "m-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 12);
  }

  function storageGet(key) {
    try {
      return window.localStorage.getItem(key);
    } catch (err) {
      return null;
    }
  }

  function storageSet(key, value) {
    try {
      if (value === null || value === "") window.localStorage.removeItem(key);
      else window.localStorage.setItem(key, value);
    } catch (err) {
      /* private mode or full storage: the in-page outbox still works */
    }
  }

  function saveOutbox() {
    var items = queue.map(function (item) {
      return { id: item.id, text: item.text, choice: item.choice };
    });
    storageSet(OUTBOX_KEY, items.length ? JSON.stringify(items) : null);
  }

  function scrollToEnd() {
    var top = document.documentElement.scrollHeight;
    try {
      window.scrollTo({ top: top, behavior: reduceMotion ? "auto" : "smooth" });
    } catch (err) {
      window.scrollTo(0, top);
    }
  }

  function focusInput() {
    if (!form.hidden && input && document.activeElement !== input) {
      try {
        input.focus({ preventScroll: true });
      } catch (err) {
        input.focus();
      }
    }
  }

  // ---------------------------------------------------------------- rendering

  function splitPlayback(text, items) {
    // The playback text repeats its items as "N. item" lines; the list replaces them.
    var numbered = {};
    items.forEach(function (item, i) {
      numbered[i + 1 + ". " + item] = true;
    });
    var before = [];
    var after = [];
    var seen = false;
    String(text).split("\n").forEach(function (line) {
      if (Object.prototype.hasOwnProperty.call(numbered, line)) seen = true;
      else (seen ? after : before).push(line);
    });
    return [before.join("\n").trim(), after.join("\n").trim()];
  }

  function choiceButton(choice, className, text) {
    var button = el("button", className, text);
    button.type = "button";
    button.setAttribute("data-choice", choice.value);
    button.setAttribute("data-label", choice.label);
    return button;
  }

  function scaleButton(choice, kind) {
    var button = choiceButton(choice, "scale-option");
    var label = String(choice.label);
    if (kind === "feeling") {
      var space = label.indexOf(" ");
      if (space > 0) {
        var emoji = el("span", "scale-emoji", label.slice(0, space));
        emoji.setAttribute("aria-hidden", "true");
        button.appendChild(emoji);
        button.appendChild(el("span", "scale-caption", label.slice(space + 1)));
      } else {
        button.appendChild(el("span", "scale-caption", label));
      }
    } else {
      var parts = label.split(" · ");
      button.appendChild(el("span", "scale-number", parts[0]));
      if (parts.length > 1) {
        button.setAttribute("aria-label", parts[0] + ", " + parts.slice(1).join(" · ").toLowerCase());
      }
    }
    return button;
  }

  function choicesBlock(reply, withList) {
    var kind = reply.slot === "feeling" || reply.slot === "effort" ? reply.slot : null;
    var shown = (reply.choices || []).filter(function (c) {
      return !(withList && String(c.value).indexOf("fix:") === 0);
    });
    if (!shown.length) return null;
    var group = el("div", "choices" + (kind ? " choices--scale choices--" + kind : ""));
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", "Quick replies");
    shown.forEach(function (c) {
      var chipClass = withList && c.value === "yes" ? "chip chip--primary" : "chip";
      group.appendChild(kind ? scaleButton(c, kind) : choiceButton(c, chipClass, c.label));
    });
    if (kind !== "effort" || shown.length < 2) return group;
    // The ends of the scale, once, under the row (each button also has them in its name).
    var wrap = document.createDocumentFragment();
    var legend = el("div", "scale-legend");
    legend.setAttribute("aria-hidden", "true");
    [shown[0], shown[shown.length - 1]].forEach(function (c) {
      var text = String(c.label);
      var at = text.indexOf(" · ");
      legend.appendChild(el("span", null, at >= 0 ? text.slice(at + 3) : text));
    });
    wrap.appendChild(group);
    wrap.appendChild(legend);
    return wrap;
  }

  function renderBot(reply, active) {
    var items = reply.items || [];
    var fixes = {};
    if (active) {
      (reply.choices || []).forEach(function (c) {
        if (String(c.value).indexOf("fix:") === 0) fixes[c.value] = c;
      });
    }
    var msg = el(
      "div",
      "msg msg--bot msg--new" + (items.length ? " msg--list" : "") + (active ? " msg--active" : "")
    );
    if (reply.slot) msg.setAttribute("data-slot", reply.slot);
    var bubble = el("div", "bubble");
    bubble.appendChild(el("span", "visually-hidden", company + ": "));
    if (items.length) {
      var parts = splitPlayback(reply.text || "", items);
      if (parts[0]) bubble.appendChild(el("p", "msg-text", parts[0]));
      var list = el("ol", "journey");
      items.forEach(function (item, i) {
        var li = el("li", "journey-step");
        li.appendChild(el("span", "journey-text", item));
        var fix = fixes["fix:" + (i + 1)];
        if (fix) {
          var edit = choiceButton(fix, "chip chip--small", "Edit");
          edit.setAttribute("aria-label", "Edit step " + (i + 1));
          li.appendChild(edit);
        }
        list.appendChild(li);
      });
      bubble.appendChild(list);
      if (parts[1]) bubble.appendChild(el("p", "msg-text", parts[1]));
    } else {
      bubble.appendChild(el("p", "msg-text", reply.text || ""));
    }
    msg.appendChild(bubble);
    if (active) {
      var block = choicesBlock(reply, items.length > 0);
      if (block) msg.appendChild(block);
    }
    return msg;
  }

  function renderCustomer(text) {
    var msg = el("div", "msg msg--me msg--new");
    msg.setAttribute("data-state", "sending");
    var bubble = el("div", "bubble");
    bubble.appendChild(el("span", "visually-hidden", "You: "));
    bubble.appendChild(el("p", "msg-text", text));
    msg.appendChild(bubble);
    return msg;
  }

  function setItemState(item, itemState, note, canRetry) {
    var msg = item.el;
    msg.setAttribute("data-state", itemState);
    var meta = msg.querySelector(".msg-meta");
    if (!note) {
      if (meta) meta.remove();
      return;
    }
    if (!meta) {
      meta = el("p", "msg-meta");
      msg.appendChild(meta);
    }
    meta.textContent = "";
    meta.appendChild(el("span", "msg-note", note));
    if (canRetry) {
      var retry = el("button", "link-button", "Retry");
      retry.type = "button";
      retry.setAttribute("data-retry", item.id);
      retry.setAttribute("aria-label", "Retry sending: " + truncate(item.text, 60));
      meta.appendChild(retry);
    }
  }

  function truncate(text, n) {
    text = String(text);
    return text.length > n ? text.slice(0, n - 1) + "…" : text;
  }

  // ---------------------------------------------------------------- page state

  function activeButtons() {
    return log.querySelectorAll("button[data-choice]");
  }

  function setChoicesDisabled(disabled) {
    Array.prototype.forEach.call(activeButtons(), function (b) {
      b.disabled = disabled;
    });
  }

  function clearActive() {
    // Quick replies belong to the last question only.
    Array.prototype.forEach.call(log.querySelectorAll(".choices, .scale-legend"), function (node) {
      node.remove();
    });
    Array.prototype.forEach.call(activeButtons(), function (node) {
      node.remove();
    });
    Array.prototype.forEach.call(log.querySelectorAll(".msg--active"), function (node) {
      node.classList.remove("msg--active");
    });
  }

  function showBanner(kind, text) {
    if (!text) {
      banner.hidden = true;
      banner.removeAttribute("data-status");
      bannerText.textContent = "";
      return;
    }
    banner.setAttribute("data-status", kind);
    if (bannerText.textContent !== text) bannerText.textContent = text;
    banner.hidden = false;
  }

  function applyStatus(next, message) {
    status = next || status;
    app.setAttribute("data-status", status);
    if (FINISHED[status]) {
      clearActive();
      if (progressBar) progressBar.value = 100;
      form.hidden = true;
      showBanner(status, message || BANNERS[status]);
      queue.forEach(function (item) {
        if (!item.done) {
          setItemState(item, "failed", "Not sent: this interview is already finished.", false);
        }
      });
      queue = [];
      saveOutbox();
      storageSet(DRAFT_KEY, null);
    } else if (status === "paused") {
      showBanner("paused", BANNERS.paused);
    } else {
      showBanner(null, null);
    }
  }

  function applyProgress(progress) {
    if (!progress || !progressBar) return;
    if (progress.label) {
      progressLabel.textContent = progress.label;
      progressBar.setAttribute("aria-valuetext", progress.label);
    }
    if (typeof progress.percent === "number") {
      progressBar.value = Math.max(0, Math.min(100, progress.percent));
    }
  }

  var typingTimer = null;
  function startTyping() {
    clearTimeout(typingTimer);
    typingTimer = setTimeout(function () {
      typing.hidden = false;
      scrollToEnd();
    }, TYPING_DELAY_MS);
  }

  function stopTyping() {
    clearTimeout(typingTimer);
    typing.hidden = true;
  }

  function showComposerError(text) {
    composerError.textContent = text || "";
    composerError.hidden = !text;
  }

  // ---------------------------------------------------------------- sending

  function readError(response) {
    return response
      .json()
      .then(function (body) {
        return (body && body.error) || {};
      })
      .catch(function () {
        return {};
      });
  }

  function retryAfterSeconds(response) {
    var value = response.headers.get("Retry-After");
    var seconds = parseInt(value, 10);
    if (!isNaN(seconds)) return Math.max(1, Math.min(seconds, 120));
    var date = Date.parse(value || "");
    if (!isNaN(date)) return Math.max(1, Math.min(Math.ceil((date - Date.now()) / 1000), 120));
    return 5;
  }

  function post(item) {
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    var timer = controller
      ? setTimeout(function () {
          controller.abort();
        }, REQUEST_TIMEOUT_MS)
      : null;
    var headers = { "Content-Type": "application/json", Accept: "application/json" };
    if (token) headers.Authorization = "Bearer " + token;
    return fetch(apiBase + "/interviews/" + encodeURIComponent(interviewId) + "/messages", {
      method: "POST",
      headers: headers,
      credentials: "same-origin",
      cache: "no-store",
      body: JSON.stringify({ text: item.text, choice: item.choice, client_message_id: item.id }),
      signal: controller ? controller.signal : undefined,
    }).finally(function () {
      clearTimeout(timer);
    });
  }

  function handleTurn(item, turn) {
    item.done = true;
    if (item.restored && turn.duplicate) {
      // Delivered before the page was (re)loaded: the transcript already shows it.
      item.el.remove();
    } else {
      setItemState(item, "sent", null, false);
      var replies = turn.replies || [];
      var finished = !!FINISHED[turn.status];
      clearActive();
      replies.forEach(function (reply, i) {
        log.appendChild(renderBot(reply, !finished && i === replies.length - 1));
      });
    }
    applyProgress(turn.progress);
    applyStatus(turn.status);
  }

  // One delivery attempt. Resolves to "ok", "failed" (retry later with the same id),
  // "wait" (429, retry scheduled) or "stop" (nothing more to do with this item).
  function deliver(item) {
    return post(item).then(
      function (response) {
        if (response.ok) {
          return response.json().then(
            function (turn) {
              handleTurn(item, turn);
              return "ok";
            },
            function () {
              return "failed";
            }
          );
        }
        if (response.status === 429 || response.status === 503) {
          var seconds = retryAfterSeconds(response);
          setItemState(item, "sending", "Busy, trying again in " + seconds + " s…", false);
          clearTimeout(waitTimer);
          waitTimer = setTimeout(pump, seconds * 1000);
          return "wait";
        }
        return readError(response).then(function (error) {
          if (response.status === 409) {
            applyStatus(status === "declined" ? "declined" : "completed", error.message);
            setItemState(item, "failed", "Not sent: this interview is already finished.", false);
            return "stop";
          }
          if (response.status === 413 || response.status === 422) {
            // The server will not take this text as it is: give it back for editing.
            item.el.remove();
            if (!input.value) input.value = item.text;
            updateCounter();
            setChoicesDisabled(false);
            showComposerError(error.message || "That answer couldn't be sent. Please change it and try again.");
            focusInput();
            return "stop";
          }
          if (response.status === 404 || response.status === 401 || response.status === 403) {
            setItemState(item, "failed", "Not sent.", false);
            showBanner("error", error.message || "This interview link doesn't work any more.");
            form.hidden = true;
            return "stop";
          }
          return "failed";
        });
      },
      function () {
        return "failed";
      }
    );
  }

  function pump() {
    if (pumping) return;
    clearTimeout(waitTimer);
    pumping = true;
    (function next() {
      if (!queue.length) {
        pumping = false;
        stopTyping();
        return;
      }
      var item = queue[0];
      setItemState(item, "sending", null, false);
      startTyping();
      deliver(item).then(function (outcome) {
        stopTyping();
        if (outcome === "ok" || outcome === "stop") {
          queue = queue.filter(function (other) {
            return other !== item;
          });
          saveOutbox();
          if (outcome === "ok" && !queue.length) {
            focusInput();
            scrollToEnd();
          }
          next();
          return;
        }
        pumping = false;
        if (outcome === "failed") {
          setItemState(item, "failed", "Not sent.", true);
          scrollToEnd();
        }
      });
    })();
  }

  function enqueue(text, choice, restoredId) {
    var item = {
      id: restoredId || newMessageId(),
      text: text,
      choice: choice || null,
      restored: !!restoredId,
      el: renderCustomer(text),
    };
    log.appendChild(item.el);
    queue.push(item);
    saveOutbox();
    return item;
  }

  function sendAnswer(text, choice) {
    if (FINISHED[status]) return;
    showComposerError(null);
    setChoicesDisabled(true);
    enqueue(text, choice);
    scrollToEnd();
    pump();
  }

  // ---------------------------------------------------------------- composer

  function updateCounter() {
    var left = maxChars - input.value.length;
    var threshold = Math.max(100, Math.floor(maxChars * 0.1));
    if (left > threshold) {
      counter.hidden = true;
      return;
    }
    counter.hidden = false;
    counter.textContent = left > 0 ? left + " characters left" : "Character limit reached";
    counter.setAttribute("data-level", left > 0 ? "near" : "limit");
  }

  // Browsers without `field-sizing: content` grow the box by its rows attribute.
  var autoSize =
    !(window.CSS && CSS.supports && CSS.supports("field-sizing", "content"));
  function resizeInput() {
    if (!autoSize) return;
    input.rows = 1;
    var line = parseFloat(getComputedStyle(input).lineHeight) || 22;
    var rows = Math.min(6, Math.max(1, Math.round((input.scrollHeight - 22) / line)));
    input.rows = rows;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) {
      focusInput();
      return;
    }
    input.value = "";
    storageSet(DRAFT_KEY, null);
    updateCounter();
    resizeInput();
    sendAnswer(text, null);
    focusInput();
  });

  input.addEventListener("keydown", function (event) {
    if (
      event.key === "Enter" &&
      !event.shiftKey &&
      !event.altKey &&
      !event.ctrlKey &&
      !event.metaKey &&
      !event.isComposing &&
      event.keyCode !== 229
    ) {
      event.preventDefault();
      if (typeof form.requestSubmit === "function") form.requestSubmit();
      else form.dispatchEvent(new Event("submit", { cancelable: true }));
    }
  });

  var inputHeight = input.offsetHeight;
  input.addEventListener("input", function () {
    storageSet(DRAFT_KEY, input.value);
    updateCounter();
    resizeInput();
    if (input.offsetHeight !== inputHeight) {
      // The box grew or shrank: keep the latest question in view above it.
      inputHeight = input.offsetHeight;
      window.scrollTo(0, document.documentElement.scrollHeight);
    }
    if (!composerError.hidden) showComposerError(null);
  });

  log.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    var retry = target.closest("button[data-retry]");
    if (retry) {
      pump();
      return;
    }
    var button = target.closest("button[data-choice]");
    if (!button || button.disabled) return;
    var label = button.getAttribute("data-label") || button.textContent || "";
    clearActive();
    sendAnswer(label, button.getAttribute("data-choice"));
    focusInput();
  });

  window.addEventListener("online", pump);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && queue.length && !pumping) pump();
  });

  // ---------------------------------------------------------------- start

  input.maxLength = maxChars;
  var draft = storageGet(DRAFT_KEY);
  if (draft && !input.value) input.value = draft.slice(0, maxChars);
  updateCounter();
  resizeInput();
  applyStatus(status);
  if (FINISHED[status]) {
    storageSet(OUTBOX_KEY, null);
  } else {
    var saved = [];
    try {
      saved = JSON.parse(storageGet(OUTBOX_KEY) || "[]") || [];
    } catch (err) {
      saved = [];
    }
    saved.forEach(function (entry) {
      if (entry && entry.id && typeof entry.text === "string") {
        enqueue(entry.text, entry.choice, entry.id);
      }
    });
    if (queue.length) {
      setChoicesDisabled(true);
      pump();
    }
  }
  // Open at the latest question, not where the browser remembers the page was.
  if ("scrollRestoration" in history) history.scrollRestoration = "manual";
  window.scrollTo(0, document.documentElement.scrollHeight);
  window.addEventListener("load", function () {
    window.scrollTo(0, document.documentElement.scrollHeight);
  });
})();
