/**
 * Reading and validating the shop's `window.kefuConfig`.
 * Fills defaults so the rest of the widget can rely on every field being present.
 */

/** Longest message a customer may send, counted in Unicode code points. */
export const MAX_MESSAGE_CHARS = 2000;

/**
 * @typedef {object} KefuConfig
 * @property {string} socketUrl      Rasa server origin, e.g. "http://127.0.0.1:5005".
 * @property {string} socketPath     Socket.IO path on that server.
 * @property {string} shopId         Namespaces browser storage.
 * @property {string} shopName       Shown in the panel header.
 * @property {string|null} shopAvatar Absolute http(s) URL of the shop logo, or null.
 * @property {string|null} customerToken Shop-signed customer token, null when anonymous.
 * @property {string|null} greeting  Local greeting shown when the history is empty.
 * @property {boolean} open          Start with the panel opened.
 */

/**
 * Returns a trimmed non-empty string, or null.
 * @param {unknown} value
 * @returns {string|null}
 */
function text(value) {
  if (typeof value !== "string") return null;
  const trimmed = value.trim();
  return trimmed ? trimmed : null;
}

/**
 * Resolves `value` against the page and keeps it only if it is an http(s) URL.
 * @param {unknown} value
 * @returns {string|null}
 */
export function safeHttpUrl(value, base = globalThis.location ? globalThis.location.href : undefined) {
  const raw = text(value);
  if (!raw) return null;
  try {
    const url = new URL(raw, base);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

/**
 * Validates a raw config object and applies defaults; throws TypeError when required fields are missing.
 * @param {unknown} raw
 * @returns {KefuConfig}
 */
export function normalizeConfig(raw) {
  if (!raw || typeof raw !== "object") {
    throw new TypeError("kefu-widget: config object is required (window.kefuConfig)");
  }
  const input = /** @type {Record<string, unknown>} */ (raw);
  const socketUrl = text(input.socketUrl);
  const shopId = text(input.shopId);
  if (!socketUrl) throw new TypeError("kefu-widget: config.socketUrl is required");
  if (!shopId) throw new TypeError("kefu-widget: config.shopId is required");
  return {
    socketUrl,
    socketPath: text(input.socketPath) || "/socket.io/",
    shopId,
    shopName: text(input.shopName) || "在线客服",
    shopAvatar: safeHttpUrl(input.shopAvatar),
    customerToken: text(input.customerToken),
    greeting: text(input.greeting),
    open: input.open === true,
  };
}
