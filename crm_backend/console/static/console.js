// The agent console's live parts: the queue refreshes itself (with a visible and an optional
// audible notice of new handoffs), a conversation shows new messages as they come, and the
// buttons call the staff API with the session's CSRF token. Customer text is only ever set with
// textContent, never parsed as HTML.
(function () {
  "use strict";

  var CSRF = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var ME = Number((document.querySelector('meta[name="staff-id"]') || {}).content || 0);
  var CHANNELS = { web: "网页", wechat: "微信", rest: "接口" };
  var AUTHORS = { customer: "客户", bot: "机器人", agent: "人工客服", system: "系统" };
  var POLL_MS = 2000;

  function api(method, path, body) {
    var options = { method: method, credentials: "same-origin",
                    headers: { "Accept": "application/json" } };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.headers["X-CSRF-Token"] = CSRF;
      options.body = JSON.stringify(body);
    }
    return fetch(path, options).then(function (response) {
      if (response.status === 401) { window.location.assign("/staff/login?next=" +
        encodeURIComponent(window.location.pathname)); }
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { ok: response.ok, status: response.status, data: data };
      });
    });
  }

  function cell(row, text, className) {
    var td = document.createElement("td");
    td.textContent = text;
    if (className) { td.className = className; }
    row.appendChild(td);
    return td;
  }

  function minutesSince(iso) {
    var minutes = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 60000));
    return minutes < 1 ? "不到 1 分钟" : minutes + " 分钟";
  }

  function customerName(h) {
    return h.customer ? h.customer.name + "（" + h.customer.tier_label + "）" : "匿名访客";
  }

  function fillQueue(body, items, empty, when) {
    body.replaceChildren();
    if (!items.length) {
      var row = document.createElement("tr");
      cell(row, empty, "hint").colSpan = 6;
      body.appendChild(row);
      return;
    }
    items.forEach(function (h) {
      var row = document.createElement("tr");
      row.dataset.handoffId = h.id;
      cell(row, h.priority_label, "prio-" + h.priority);
      cell(row, customerName(h));
      cell(row, CHANNELS[h.channel] || "—");
      cell(row, h.reason_label);
      cell(row, when(h));
      var link = document.createElement("a");
      link.href = "/staff/handoffs/" + h.id;
      link.textContent = "查看";
      cell(row, "").appendChild(link);
      body.appendChild(row);
    });
  }

  function beep() {
    try {
      var audio = new (window.AudioContext || window.webkitAudioContext)();
      var tone = audio.createOscillator();
      tone.connect(audio.destination);
      tone.frequency.value = 880;
      tone.start();
      tone.stop(audio.currentTime + 0.2);
    } catch (error) { /* no sound available */ }
  }

  function startQueue(root) {
    var waiting = root.querySelector('[data-console="waiting"]');
    var mine = root.querySelector('[data-console="mine"]');
    var notice = root.querySelector('[data-console="notice"]');
    var sound = root.querySelector('[data-console="sound"]');
    var seen = null;
    function refresh() {
      Promise.all([api("GET", "/api/staff/handoffs?status=waiting"),
                   api("GET", "/api/staff/handoffs?status=assigned")]).then(function (r) {
        var queue = (r[0].data.handoffs || []);
        var held = (r[1].data.handoffs || []).filter(function (h) {
          return h.assigned_staff_id === ME; });
        fillQueue(waiting, queue, "目前没有等待接入的会话", function (h) {
          return minutesSince(h.created_at); });
        fillQueue(mine, held, "您手上没有会话", function (h) {
          return (h.assigned_at || "").slice(11, 16); });
        var ids = queue.map(function (h) { return h.id; });
        var fresh = seen === null ? [] : ids.filter(function (id) { return seen.indexOf(id) < 0; });
        if (fresh.length) {
          notice.textContent = "有 " + fresh.length + " 个新的转人工会话";
          document.title = "（" + queue.length + "）转人工队列 · Kefu";
          if (sound && sound.checked) { beep(); }
        }
        seen = ids;
      });
    }
    refresh();
    window.setInterval(refresh, POLL_MS);
  }

  function startConversation(root) {
    var id = root.dataset.handoffId;
    var log = root.querySelector('[data-console="transcript"]');
    var notice = root.querySelector('[data-console="notice"]');
    var statusLabel = root.querySelector('[data-console="status"]');
    var reply = root.querySelector('[data-console="reply"]');
    var form = root.querySelector('[data-console="reply-form"]');
    var claim = root.querySelector('[data-console="claim"]');

    function say(text) { notice.hidden = !text; notice.textContent = text || ""; }

    function lastId() {
      var items = log.querySelectorAll("[data-message-id]");
      return items.length ? Number(items[items.length - 1].dataset.messageId) : 0;
    }

    function append(m) {
      if (log.querySelector('[data-message-id="' + m.id + '"]')) { return; }
      var item = document.createElement("div");
      item.className = "msg " + m.author;
      item.dataset.messageId = m.id;
      item.dataset.author = m.author;
      var who = document.createElement("span");
      who.className = "who";
      who.textContent = (AUTHORS[m.author] || m.author) + " · " + (m.at || "").slice(11, 19);
      item.appendChild(who);
      item.appendChild(document.createTextNode(m.text));
      log.appendChild(item);
      log.scrollTop = log.scrollHeight;
    }

    function show(handoff) {
      root.dataset.status = handoff.status;
      root.dataset.assignedTo = handoff.assigned_staff_id || "";
      statusLabel.textContent = handoff.status_label;
      var mine = handoff.status === "assigned" && handoff.assigned_staff_id === ME;
      claim.hidden = handoff.status !== "waiting";
      form.querySelectorAll("textarea, button").forEach(function (el) { el.disabled = !mine; });
    }

    function refresh() {
      api("GET", "/api/staff/handoffs/" + id + "?after_id=" + lastId()).then(function (r) {
        if (!r.ok) { return; }
        (r.data.messages || []).forEach(append);
        show(r.data.handoff);
        var left = root.querySelector('[data-console="quota-left"]');
        if (left && r.data.wechat_quota) { left.textContent = r.data.wechat_quota.remaining; }
      });
    }

    function act(path, body, done) {
      return api("POST", "/api/staff/handoffs/" + id + path, body || {}).then(function (r) {
        if (!r.ok) { say(r.data.message || "操作没有成功，请刷新后重试"); return; }
        say(r.data.warning || done);
        if (r.data.handoff) { show(r.data.handoff); }
        refresh();
      });
    }

    log.scrollTop = log.scrollHeight;
    claim.addEventListener("click", function () { act("/claim", {}, "您已接手这个会话"); });
    var canned = root.querySelector('[data-console="canned"]');
    if (canned) {
      canned.addEventListener("change", function () {
        if (canned.value) { reply.value = canned.value; reply.focus(); }
        canned.value = "";
      });
    }
    var pointsForm = root.querySelector('[data-console="points-form"]');
    if (pointsForm) {
      pointsForm.addEventListener("submit", function (event) {
        event.preventDefault();
        var points = Number(root.querySelector('[data-console="points"]').value);
        var reason = root.querySelector('[data-console="points-reason"]').value.trim();
        if (!points || !reason) { say("请填写积分数和原因"); return; }
        var key = (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Date.now());
        api("POST", "/api/staff/handoffs/" + id + "/points",
            { points: points, reason: reason, idempotency_key: key }).then(function (r) {
          say(r.ok ? "已发放 " + points + " 积分，客户现有 " + r.data.balance + " 分"
                   : (r.data.message || "发放没有成功，请重试"));
        });
      });
    }
    root.querySelectorAll("[data-console-action]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var body = { idempotency_key: (window.crypto && crypto.randomUUID) ?
                     crypto.randomUUID() : String(Date.now()) };
        form.querySelectorAll("input[name], select[name]").forEach(function (field) {
          body[field.name] = field.hasAttribute("data-number") ? Number(field.value) :
                             field.value.trim();
        });
        api("POST", "/api/staff/handoffs/" + id + "/" + form.dataset.consoleAction, body)
          .then(function (r) { say(r.ok ? "已完成，并记在您名下的备注里" :
                                   (r.data.message || "操作没有成功，请重试")); });
      });
    });
    var badFaith = root.querySelector('[data-console="bad-faith"]');
    if (badFaith) {
      badFaith.addEventListener("click", function () {
        var reason = window.prompt("标记为劣质客户的原因：");
        if (!reason || !reason.trim()) { return; }
        api("POST", "/api/staff/handoffs/" + id + "/bad-faith", { reason: reason.trim() })
          .then(function (r) { say(r.ok ? "已标记为劣质客户" : (r.data.message || "操作没有成功")); });
      });
    }
    var noteForm = root.querySelector('[data-console="note-form"]');
    var noteBox = root.querySelector('[data-console="note"]');
    var notes = root.querySelector('[data-console="notes"]');
    noteForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = noteBox.value.trim();
      if (!text) { return; }
      api("POST", "/api/staff/handoffs/" + id + "/notes", { text: text }).then(function (r) {
        if (!r.ok) { say(r.data.message || "备注没有保存，请重试"); return; }
        var item = document.createElement("li");
        item.textContent = (r.data.note.staff_name || "我") + "（" + r.data.note.at.slice(5, 16) +
          "）：" + r.data.note.text;
        notes.appendChild(item);
        noteBox.value = "";
      });
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = reply.value.trim();
      if (!text) { return; }
      act("/messages", { text: text }, "").then(function () { reply.value = ""; reply.focus(); });
    });
    root.querySelector('[data-console="handback"]').addEventListener("click", function () {
      act("/handback", {}, "已交还机器人，机器人会请客户为这次服务打分");
    });
    root.querySelector('[data-console="close"]').addEventListener("click", function () {
      var note = window.prompt("请填写处理结果（会记在这次人工服务上）：");
      if (note && note.trim()) { act("/close", { note: note.trim() }, "会话已结束"); }
    });
    refresh();
    window.setInterval(refresh, POLL_MS);
  }

  var queue = document.querySelector('[data-console="waiting"]');
  if (queue) { startQueue(queue.closest(".card")); }
  var conversation = document.querySelector('[data-console="conversation"]');
  if (conversation) { startConversation(conversation); }
}());
