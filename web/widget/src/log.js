/**
 * The message list: ordering, exactly-once user bubbles (keyed by message_id), quick-reply state,
 * the typing indicator and scrolling.
 */
import {
  createAgentMessage,
  createGreeting,
  createNotice,
  createTyping,
  createUserMessage,
  setUserStatus,
} from "./render.js";

/** The typing indicator never stays longer than this. */
const TYPING_MAX_MS = 60000;
/** Within this many pixels of the bottom the list follows new messages. */
const STICKY_PX = 80;

/** @typedef {import("./connection.js").ChatMessage} ChatMessage */
/** @typedef {import("./connection.js").OutboxEntry} OutboxEntry */

/**
 * Manages the children of the role="log" element.
 * @param {HTMLElement} logEl
 * @param {import("./render.js").RenderContext} ctx
 */
export function createLog(logEl, ctx) {
  /** User bubbles by message_id, so no message is ever shown twice. @type {Map<string, HTMLElement>} */
  const byId = new Map();
  /** Last known state of each user bubble, to redraw labels when the connection changes. @type {Map<string, OutboxEntry>} */
  const entries = new Map();
  const typing = createTyping(ctx.config);
  /** @type {ReturnType<typeof setTimeout>|undefined} */
  let typingTimer;

  const nearBottom = () => logEl.scrollHeight - logEl.scrollTop - logEl.clientHeight < STICKY_PX;
  /** Whether the view follows new content; false once the user scrolls up to read. */
  let stuck = true;
  const onScroll = () => {
    stuck = nearBottom();
  };
  logEl.addEventListener("scroll", onScroll, { passive: true });
  const scrollToBottom = () => {
    logEl.scrollTop = logEl.scrollHeight;
    stuck = true;
  };

  /** Enables quick replies only on the newest non-notice message; older ones stay visible but disabled. */
  function refreshQuickReplies() {
    const messages = logEl.querySelectorAll('[data-kefu="message"]:not([data-role="notice"])');
    const last = messages[messages.length - 1];
    for (const button of logEl.querySelectorAll('[data-kefu="quick-reply"]')) {
      /** @type {HTMLButtonElement} */ (button).disabled = !last || !last.contains(button);
    }
  }

  /**
   * Adds a node above the typing indicator and keeps the view at the bottom when it was there.
   * @param {HTMLElement} node @param {boolean} [force] scroll even when the user had scrolled up
   */
  function insert(node, force = false) {
    const follow = force || stuck;
    logEl.insertBefore(node, typing.isConnected ? typing : null);
    refreshQuickReplies();
    if (follow) scrollToBottom();
  }

  /** @param {OutboxEntry} entry */
  function userNode(entry) {
    const node = createUserMessage({ id: entry.id, text: entry.display, status: entry.status, refusal: entry.refusal }, ctx);
    byId.set(entry.id, node);
    entries.set(entry.id, { ...entry });
    return node;
  }

  /** @param {ChatMessage} msg @returns {HTMLElement|null} */
  function historyNode(msg) {
    if (msg.role !== "user") return createAgentMessage(msg, ctx);
    if (!msg.text) return null;
    if (msg.message_id && byId.has(msg.message_id)) return null;
    const node = createUserMessage({ id: msg.message_id, text: msg.text, status: "sent", at: msg.at }, ctx);
    if (msg.message_id) byId.set(msg.message_id, node);
    return node;
  }

  return {
    /**
     * Replaces the list with the server's history, then the greeting if it is empty, then unsent messages.
     * @param {ChatMessage[]} messages @param {OutboxEntry[]} outbox @param {boolean} [greet]
     */
    replace(messages, outbox, greet = true) {
      byId.clear();
      entries.clear();
      // One batched update for assistive tech instead of announcing every re-rendered message.
      logEl.setAttribute("aria-busy", "true");
      logEl.textContent = "";
      for (const msg of messages) {
        const node = historyNode(msg);
        if (node) logEl.appendChild(node);
      }
      if (greet && ctx.config.greeting && !logEl.firstChild) logEl.appendChild(createGreeting(ctx.config.greeting, ctx.config));
      for (const entry of outbox) if (!byId.has(entry.id)) logEl.appendChild(userNode(entry));
      if (typingTimer !== undefined) logEl.appendChild(typing);
      refreshQuickReplies();
      scrollToBottom();
      setTimeout(() => logEl.removeAttribute("aria-busy"), 0);
    },
    /** Appends a live bot or person message. @param {ChatMessage} msg */
    appendMessage(msg) {
      const node = createAgentMessage(msg, ctx);
      if (node) insert(node);
    },
    /** Shows a new user message or updates its status. @param {OutboxEntry} entry */
    upsertEntry(entry) {
      const node = byId.get(entry.id);
      if (!node) {
        insert(userNode(entry), true);
        return;
      }
      entries.set(entry.id, { ...entry });
      setUserStatus(node, { id: entry.id, status: entry.status, refusal: entry.refusal }, ctx);
    },
    /** Adds a widget-own notice line. @param {string} text */
    notice(text) {
      insert(createNotice(text), true);
    },
    /** Redraws pending labels after the connection went up or down. */
    refreshPending() {
      for (const [id, entry] of entries) {
        const node = byId.get(id);
        if (node && entry.status === "pending") setUserStatus(node, entry, ctx);
      }
    },
    /** Shows or hides the typing dots (auto-hidden after 60 s). @param {boolean} on */
    setTyping(on) {
      clearTimeout(typingTimer);
      typingTimer = undefined;
      if (!on) {
        typing.remove();
        return;
      }
      typingTimer = setTimeout(() => {
        typingTimer = undefined;
        typing.remove();
      }, TYPING_MAX_MS);
      if (!typing.isConnected) {
        logEl.appendChild(typing);
        if (stuck) scrollToBottom();
      }
    },
    /** Keeps the newest message in view (after an image loads or the panel opens), if the user was near it. */
    keepBottom(force = false) {
      if (force || stuck) scrollToBottom();
    },
    /** Stops timers and listeners. */
    destroy() {
      logEl.removeEventListener("scroll", onScroll);
      clearTimeout(typingTimer);
      typingTimer = undefined;
    },
  };
}
