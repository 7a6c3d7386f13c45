/**
 * Browser storage for one shop: the session id (localStorage) and the unsent outbox (sessionStorage).
 * Every access is guarded, so blocked storage (private mode, sandboxed iframes) degrades to memory.
 */

/** @typedef {import("./connection.js").OutboxEntry} OutboxEntry */

/** In-memory fallback used when Web Storage throws. */
const memory = new Map();

/**
 * Returns the named Web Storage area, or null when the browser refuses access.
 * @param {"localStorage"|"sessionStorage"} name
 * @returns {Storage|null}
 */
function area(name) {
  try {
    const storage = globalThis[name];
    return storage || null;
  } catch {
    return null;
  }
}

/** @param {"localStorage"|"sessionStorage"} name @param {string} key @returns {string|null} */
function read(name, key) {
  try {
    const storage = area(name);
    if (storage) return storage.getItem(key);
  } catch {
    /* fall through to memory */
  }
  return memory.has(key) ? memory.get(key) : null;
}

/** @param {"localStorage"|"sessionStorage"} name @param {string} key @param {string|null} value */
function write(name, key, value) {
  if (value === null) memory.delete(key);
  else memory.set(key, value);
  try {
    const storage = area(name);
    if (!storage) return;
    if (value === null) storage.removeItem(key);
    else storage.setItem(key, value);
  } catch {
    /* memory copy above is enough */
  }
}

/** @param {string} shopId */
const sessionKey = (shopId) => `kefu:${shopId}:session`;
/** @param {string} shopId */
const outboxKey = (shopId) => `kefu:${shopId}:outbox`;

/**
 * Storage accessors bound to one shop.
 * @param {string} shopId
 */
export function createStore(shopId) {
  return {
    /** @returns {string|null} */
    loadSession() {
      return read("localStorage", sessionKey(shopId));
    },
    /** @param {string} sessionId */
    saveSession(sessionId) {
      write("localStorage", sessionKey(shopId), sessionId);
    },
    /** @returns {OutboxEntry[]} */
    loadOutbox() {
      try {
        const parsed = JSON.parse(read("sessionStorage", outboxKey(shopId)) || "[]");
        if (!Array.isArray(parsed)) return [];
        return parsed.filter(
          (e) => e && typeof e.id === "string" && typeof e.text === "string" && e.text.length > 0,
        ).map((e) => ({
          id: e.id,
          text: e.text,
          display: typeof e.display === "string" ? e.display : e.text,
          status: e.status === "failed" ? "failed" : "pending",
        }));
      } catch {
        return [];
      }
    },
    /** @param {OutboxEntry[]} entries */
    saveOutbox(entries) {
      const keep = entries
        .filter((e) => e.status === "pending" || e.status === "failed")
        .map(({ id, text, display, status }) => ({ id, text, display, status }));
      write("sessionStorage", outboxKey(shopId), keep.length ? JSON.stringify(keep) : null);
    },
  };
}

/**
 * Forgets the shop's stored session id and unsent outbox, so the next start begins a fresh conversation.
 * @param {string} shopId
 */
export function forgetConversation(shopId) {
  write("localStorage", sessionKey(shopId), null);
  write("sessionStorage", outboxKey(shopId), null);
}
