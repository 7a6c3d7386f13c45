/**
 * Entry point: mounts the widget from `window.kefuConfig` and exposes `window.KefuWidget`.
 * One widget instance at a time; start() replaces a running one.
 */
import { MAX_MESSAGE_CHARS, normalizeConfig } from "./config.js";
import { createConnection } from "./connection.js";
import { createLog } from "./log.js";
import { createPanel } from "./panel.js";
import { createStore, forgetConversation } from "./storage.js";
import css from "./widget.css";

const STYLE_ID = "kefu-widget-style";

/** Header text for each connection state. */
const STATUS_TEXT = {
  connecting: "正在连接…",
  online: "在线",
  offline: "已断开，正在重新连接…",
  error: "暂时连不上客服，正在重试…",
};

const TOO_LONG = `消息太长了（最多 ${MAX_MESSAGE_CHARS} 字），请分几次发送。`;

/** @type {{config: import("./config.js").KefuConfig, stop: () => void}|null} */
let current = null;
/** @type {string|null} */
let lastShopId = null;

/** Adds the widget stylesheet to <head> once. */
function injectStyle() {
  if (document.getElementById(STYLE_ID)) return;
  const style = document.createElement("style");
  style.id = STYLE_ID;
  style.textContent = css;
  document.head.appendChild(style);
}

/**
 * Mounts the widget with `rawConfig` (stopping any running one); throws TypeError on an invalid config.
 * @param {unknown} rawConfig
 */
function start(rawConfig) {
  const config = normalizeConfig(rawConfig);
  if (!document.body) throw new Error("kefu-widget: start() needs document.body; call it after the page has loaded");
  stop();
  lastShopId = config.shopId;
  injectStyle();
  const store = createStore(config.shopId);
  let online = false;

  /** @type {import("./render.js").RenderContext} */
  const ctx = {
    config,
    onQuickReply: (reply) => submit(reply.payload, reply.title),
    onRetry: (id) => connection.retry(id),
    isOnline: () => online,
    onMediaLoad: () => log.keepBottom(),
  };

  /**
   * Validates and queues one user message; returns false when nothing was sent (the input keeps its text).
   * @param {string} text sent to the server @param {string} [display] shown in the bubble
   */
  function submit(text, display) {
    const message = text.trim();
    if (!message) return false;
    if ([...message].length > MAX_MESSAGE_CHARS) {
      log.notice(TOO_LONG);
      return false;
    }
    connection.connect();
    connection.send(message, display === undefined ? message : display);
    return true;
  }

  const panel = createPanel(config, {
    onSubmit: (text) => submit(text),
    onOpen: () => {
      connection.connect();
      log.keepBottom(true);
    },
  });
  const log = createLog(panel.log, ctx);
  const connection = createConnection(config, store, {
    onState(state) {
      online = state === "online";
      panel.setStatus(STATUS_TEXT[state], state);
      if (!online) log.setTyping(false);
      log.refreshPending();
    },
    onHistory: (messages, outbox) => log.replace(messages, outbox),
    onMessage: (message) => log.appendMessage(message),
    onEntry: (entry) => log.upsertEntry(entry),
    onBusy: (busy) => log.setTyping(busy),
  });

  const hasSession = store.loadSession() !== null;
  const unsent = connection.pending();
  // Greeting right away for a new customer; a returning one sees the server's history once connected.
  log.replace([], unsent, !hasSession);
  document.body.appendChild(panel.root);
  if (hasSession || unsent.length) connection.connect();
  if (config.open) panel.open();

  current = {
    config,
    stop() {
      connection.close();
      log.destroy();
      panel.destroy();
      document.getElementById(STYLE_ID)?.remove();
    },
  };
}

/** Disconnects and removes the widget from the page (stored session and outbox are kept). */
function stop() {
  if (!current) return;
  const running = current;
  current = null;
  running.stop();
}

/**
 * Forgets the stored session id and unsent messages, so the next start() begins a fresh conversation.
 * @param {string} [shopId] defaults to the running (or last started, or window.kefuConfig's) shop
 */
function newConversation(shopId) {
  const fromPage = /** @type {any} */ (window).kefuConfig;
  const id = shopId || (current && current.config.shopId) || lastShopId || (fromPage && fromPage.shopId);
  if (typeof id === "string" && id.trim()) forgetConversation(id.trim());
}

/** Mounts from window.kefuConfig, if the page defined one. */
function autoStart() {
  const raw = /** @type {any} */ (window).kefuConfig;
  if (!raw) return;
  try {
    start(raw);
  } catch (error) {
    console.error(error);
  }
}

const w = /** @type {any} */ (window);
if (!w.KefuWidget) {
  w.KefuWidget = Object.freeze({ start, stop, newConversation });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", autoStart, { once: true });
  else autoStart();
}
