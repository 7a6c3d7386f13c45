/**
 * The Socket.IO link to Kefu's Rasa channel, plus the outbox that delivers each user message exactly once.
 * DOM-free: it reports everything through the handlers passed to createConnection().
 */
import { io } from "socket.io-client";

/** How long to wait for the server's ack of one user message. */
export const ACK_TIMEOUT_MS = 30000;
/** If the server never sends kefu_history after connecting, flush the outbox anyway after this delay. */
const HISTORY_FALLBACK_MS = 8000;

/**
 * @typedef {"pending"|"sent"|"failed"|"refused"} DeliveryStatus
 * @typedef {{id: string, text: string, display: string, status: DeliveryStatus, refusal?: string}} OutboxEntry
 *   `text` is what is sent; `display` what the bubble shows (a quick reply's title).
 * @typedef {{title: string, payload: string}} QuickReply
 * @typedef {object} ChatMessage
 * @property {"user"|"bot"|"person"} role
 * @property {string} [text]
 * @property {string} [message_id]
 * @property {QuickReply[]} [buttons]
 * @property {string} [image]
 * @property {string} [name]   The person's name for role "person".
 * @property {number} [at]     Unix seconds.
 * @typedef {"connecting"|"online"|"offline"|"error"} ConnectionState
 * @typedef {object} ConnectionHandlers
 * @property {(state: ConnectionState) => void} onState
 * @property {(messages: ChatMessage[], outbox: OutboxEntry[]) => void} onHistory  Replace the whole list.
 * @property {(message: ChatMessage) => void} onMessage  A live bot or person message.
 * @property {(entry: OutboxEntry) => void} onEntry      A user message was added or changed status.
 * @property {(busy: boolean) => void} onBusy            A message is waiting for its ack.
 */

/**
 * Returns a fresh message id: a UUID when available (secure contexts), else 32 random hex digits.
 * @returns {string}
 */
export function newMessageId() {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === "function") return c.randomUUID();
  const bytes = new Uint8Array(16);
  if (c && typeof c.getRandomValues === "function") c.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Keeps well-formed `{title, payload}` buttons (Rasa `buttons` or `quick_replies`); payload defaults to title.
 * @param {unknown} list
 * @returns {QuickReply[]}
 */
function normalizeButtons(list) {
  if (!Array.isArray(list)) return [];
  /** @type {QuickReply[]} */
  const out = [];
  for (const b of list) {
    if (!b || typeof b !== "object") continue;
    const title = typeof b.title === "string" ? b.title : "";
    const payload = typeof b.payload === "string" && b.payload ? b.payload : title;
    if (title.trim() && payload.trim()) out.push({ title, payload });
  }
  return out;
}

/**
 * Turns a live `bot_uttered` payload into a ChatMessage, or null when there is nothing to show.
 * @param {any} payload
 * @returns {ChatMessage|null}
 */
export function normalizeBotPayload(payload) {
  if (!payload || typeof payload !== "object") return null;
  const person = payload.person && typeof payload.person === "object" ? payload.person : null;
  /** @type {ChatMessage} */
  const msg = { role: person ? "person" : "bot" };
  if (person && typeof person.name === "string" && person.name.trim()) msg.name = person.name.trim();
  const custom = payload.custom && typeof payload.custom === "object" ? payload.custom : null;
  const text = typeof payload.text === "string" ? payload.text : custom && typeof custom.text === "string" ? custom.text : "";
  if (text) msg.text = text;
  const att = payload.attachment && typeof payload.attachment === "object" ? payload.attachment : null;
  if (typeof payload.image === "string" && payload.image) msg.image = payload.image;
  else if (att && att.type === "image" && att.payload && typeof att.payload.src === "string") msg.image = att.payload.src;
  const buttons = normalizeButtons(payload.buttons || payload.quick_replies);
  if (buttons.length) msg.buttons = buttons;
  return msg.text || msg.image || msg.buttons ? msg : null;
}

/**
 * Validates one `kefu_history` record; returns null for unknown roles.
 * @param {any} m
 * @returns {ChatMessage|null}
 */
export function normalizeHistoryMessage(m) {
  if (!m || typeof m !== "object") return null;
  if (m.role !== "user" && m.role !== "bot" && m.role !== "person") return null;
  /** @type {ChatMessage} */
  const msg = { role: m.role };
  if (typeof m.text === "string" && m.text) msg.text = m.text;
  if (typeof m.message_id === "string" && m.message_id) msg.message_id = m.message_id;
  if (typeof m.image === "string" && m.image) msg.image = m.image;
  if (typeof m.name === "string" && m.name.trim()) msg.name = m.name.trim();
  if (typeof m.at === "number" && Number.isFinite(m.at)) msg.at = m.at;
  const buttons = normalizeButtons(m.buttons);
  if (buttons.length) msg.buttons = buttons;
  return msg.text || msg.image || msg.buttons ? msg : null;
}

/**
 * Creates the (not yet connected) link for one widget instance.
 * @param {import("./config.js").KefuConfig} config
 * @param {ReturnType<typeof import("./storage.js").createStore>} store
 * @param {ConnectionHandlers} handlers
 */
export function createConnection(config, store, handlers) {
  /** @type {import("socket.io-client").Socket|null} */
  let socket = null;
  let sessionId = store.loadSession();
  /** @type {OutboxEntry[]} */
  let outbox = store.loadOutbox();
  /** True once kefu_history (or the fallback) has arrived since the last connect. */
  let ready = false;
  /** @type {{id: string, attempt: number}|null} */
  let inFlight = null;
  let attempts = 0;
  let closed = false;
  let manualRetryDelay = 1000;
  /** @type {ReturnType<typeof setTimeout>|undefined} */
  let historyTimer;
  /** @type {ReturnType<typeof setTimeout>|undefined} */
  let manualRetryTimer;

  const save = () => store.saveOutbox(outbox);

  /** Forgets the message awaiting its ack (its late callback is then ignored). */
  function dropInFlight() {
    if (!inFlight) return;
    inFlight = null;
    handlers.onBusy(false);
  }

  /** Sends the oldest pending message, one at a time, only while connected and after history. */
  function pump() {
    if (closed || !socket || !socket.connected || !ready || inFlight) return;
    const next = outbox.find((e) => e.status === "pending");
    if (!next) return;
    const attempt = ++attempts;
    inFlight = { id: next.id, attempt };
    handlers.onBusy(true);
    const payload = {
      message: next.text,
      session_id: sessionId,
      message_id: next.id,
      customData: config.customerToken ? { customer_token: config.customerToken } : {},
    };
    socket.timeout(ACK_TIMEOUT_MS).emit("user_uttered", payload, (err, ack) => onAck(next.id, attempt, err, ack));
  }

  /**
   * Applies the server's ack (or the timeout/disconnect error) to one message.
   * @param {string} id @param {number} attempt @param {Error|null} err @param {any} ack
   */
  function onAck(id, attempt, err, ack) {
    if (closed) return;
    const current = inFlight !== null && inFlight.attempt === attempt;
    if (current) dropInFlight();
    const entry = outbox.find((e) => e.id === id);
    if (entry && !err) {
      const status = ack && typeof ack === "object" ? ack.status : undefined;
      if (status === "refused") {
        entry.status = "refused";
        entry.refusal = typeof ack.text === "string" ? ack.text : "";
      } else if (status === undefined || status === "ok" || status === "duplicate") {
        entry.status = "sent";
      } else {
        entry.status = socket && socket.connected ? "failed" : "pending";
      }
      if (entry.status === "sent" || entry.status === "refused") outbox = outbox.filter((e) => e !== entry);
      save();
      handlers.onEntry(entry);
    } else if (entry && current) {
      // Timeout or transport error: retry button when still online, otherwise resend after reconnect.
      entry.status = socket && socket.connected ? "failed" : "pending";
      save();
      handlers.onEntry(entry);
    }
    if (current) pump();
  }

  /** Reconnects by hand when socket.io will not (server-side disconnect or refused namespace connect). */
  function scheduleManualRetry() {
    clearTimeout(manualRetryTimer);
    manualRetryTimer = setTimeout(() => {
      if (!closed && socket && !socket.active) socket.connect();
    }, manualRetryDelay);
    manualRetryDelay = Math.min(manualRetryDelay * 2, 30000);
  }

  /** Marks the link ready to send; drops acked-by-history messages and resends the rest in order. */
  function applyHistory(/** @type {ChatMessage[]} */ messages) {
    clearTimeout(historyTimer);
    const arrived = new Set(messages.filter((m) => m.role === "user" && m.message_id).map((m) => m.message_id));
    outbox = outbox.filter((e) => !arrived.has(e.id));
    for (const e of outbox) if (e.status === "failed") e.status = "pending";
    if (inFlight && !outbox.some((e) => inFlight && e.id === inFlight.id)) dropInFlight();
    ready = true;
    save();
    handlers.onHistory(messages, outbox.slice());
    pump();
  }

  function connect() {
    if (socket || closed) return;
    handlers.onState("connecting");
    socket = io(config.socketUrl, {
      path: config.socketPath,
      // HTTP long-polling only: Rasa 3.6 serves socket.io on Sanic 21.12, whose websocket
      // receive passes a bare coroutine to asyncio.wait, which Python 3.11 refuses.
      transports: ["polling"],
      upgrade: false,
      reconnection: true,
      reconnectionDelay: 500,
      reconnectionDelayMax: 5000,
      forceNew: true, // own Manager per start(), so stop()/start() never share a closed one
    });
    socket.on("connect", () => {
      manualRetryDelay = 1000;
      ready = false;
      handlers.onState("online");
      socket?.emit("session_request", { session_id: sessionId });
      clearTimeout(historyTimer);
      historyTimer = setTimeout(() => {
        if (!ready && socket && socket.connected) {
          ready = true;
          pump();
        }
      }, HISTORY_FALLBACK_MS);
    });
    socket.on("session_confirm", (payload) => {
      const id = typeof payload === "string" ? payload : payload && typeof payload.session_id === "string" ? payload.session_id : null;
      if (id) {
        sessionId = id;
        store.saveSession(id);
      }
    });
    socket.on("kefu_history", (payload) => {
      if (payload && typeof payload.session_id === "string" && payload.session_id) {
        sessionId = payload.session_id;
        store.saveSession(sessionId);
      }
      const raw = payload && Array.isArray(payload.messages) ? payload.messages : [];
      applyHistory(/** @type {ChatMessage[]} */ (raw.map(normalizeHistoryMessage).filter(Boolean)));
    });
    socket.on("bot_uttered", (payload) => {
      const msg = normalizeBotPayload(payload);
      if (msg) handlers.onMessage(msg);
    });
    socket.on("disconnect", (reason) => {
      ready = false;
      clearTimeout(historyTimer);
      dropInFlight();
      handlers.onState("offline");
      if (reason === "io server disconnect") scheduleManualRetry();
    });
    socket.on("connect_error", () => {
      handlers.onState("error");
      if (socket && !socket.active) scheduleManualRetry();
    });
  }

  return {
    connect,
    /** @returns {boolean} */
    get connected() {
      return Boolean(socket && socket.connected);
    },
    /** @returns {boolean} */
    get started() {
      return socket !== null;
    },
    /** Messages not yet acked, oldest first. @returns {OutboxEntry[]} */
    pending() {
      return outbox.slice();
    },
    /**
     * Queues a user message; it is sent as soon as the link is ready.
     * @param {string} text sent as `message` @param {string} [display] shown in the bubble
     * @returns {OutboxEntry}
     */
    send(text, display = text) {
      /** @type {OutboxEntry} */
      const entry = { id: newMessageId(), text, display, status: "pending" };
      outbox.push(entry);
      save();
      handlers.onEntry(entry);
      pump();
      return entry;
    },
    /** Resends a failed message with the same message_id. @param {string} id */
    retry(id) {
      const entry = outbox.find((e) => e.id === id);
      if (!entry || entry.status !== "failed") return;
      entry.status = "pending";
      save();
      handlers.onEntry(entry);
      pump();
    },
    /** Disconnects for good and ignores any late callbacks. */
    close() {
      closed = true;
      clearTimeout(historyTimer);
      clearTimeout(manualRetryTimer);
      if (socket) {
        socket.off();
        socket.disconnect();
      }
      socket = null;
      inFlight = null;
    },
  };
}
