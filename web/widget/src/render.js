/**
 * Builds the DOM of single messages, notices and the typing indicator.
 * Everything goes through createElement + textContent: message content is never parsed as HTML.
 */
import { safeHttpUrl } from "./config.js";

/** @typedef {import("./connection.js").ChatMessage} ChatMessage */
/** @typedef {import("./connection.js").OutboxEntry} OutboxEntry */
/** @typedef {import("./connection.js").QuickReply} QuickReply */

/**
 * Creates an element with a class and optional attributes.
 * @param {string} tag @param {string} className @param {Record<string, string>} [attrs]
 * @returns {HTMLElement}
 */
export function el(tag, className, attrs = {}) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  return node;
}

/** http(s) URLs; CJK and full-width punctuation end a URL so "见https://a.cn/x，谢谢" links only the URL. */
const URL_RE = /https?:\/\/[^\s<>"'`\u3000-\u303f\uff00-\uffef]+/gi;

/**
 * Trims punctuation that usually ends a sentence rather than a URL.
 * @param {string} raw @returns {string}
 */
function trimUrl(raw) {
  let url = raw.replace(/[.,;:!?'"\]}>]+$/, "");
  while (url.endsWith(")") && (url.match(/\(/g) || []).length < (url.match(/\)/g) || []).length) {
    url = url.slice(0, -1).replace(/[.,;:!?'"]+$/, "");
  }
  return url;
}

/**
 * Appends `text` to `parent` as text nodes, turning http(s) URLs into safe links.
 * @param {HTMLElement} parent @param {string} text
 */
export function appendLinkified(parent, text) {
  let last = 0;
  const re = new RegExp(URL_RE.source, "gi");
  /** @type {RegExpExecArray|null} */
  let match;
  while ((match = re.exec(text)) !== null) {
    const start = match.index;
    const candidate = trimUrl(match[0]);
    const href = safeHttpUrl(candidate);
    if (!href) continue;
    if (start > last) parent.appendChild(document.createTextNode(text.slice(last, start)));
    const a = /** @type {HTMLAnchorElement} */ (el("a", "kefu-link"));
    a.href = href;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    a.textContent = candidate;
    parent.appendChild(a);
    last = start + candidate.length;
  }
  if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
}

/**
 * The round avatar: the shop logo, or the first character of `label` in a circle (also when the logo fails).
 * @param {string|null} imageUrl @param {string} label @param {string} [variant] extra class
 * @returns {HTMLElement}
 */
export function createAvatar(imageUrl, label, variant = "") {
  const fallback = el("span", `kefu-avatar kefu-avatar--letter ${variant}`.trim(), { "aria-hidden": "true" });
  fallback.textContent = Array.from(label.trim())[0] || "客";
  if (!imageUrl) return fallback;
  const img = /** @type {HTMLImageElement} */ (el("img", `kefu-avatar ${variant}`.trim(), { alt: "", "aria-hidden": "true" }));
  img.addEventListener("error", () => img.replaceWith(fallback), { once: true });
  img.src = imageUrl;
  return img;
}

/**
 * Formats unix seconds for a bubble's tooltip.
 * @param {number|undefined} at @returns {string}
 */
function formatTime(at) {
  if (typeof at !== "number") return "";
  try {
    return new Date(at * 1000).toLocaleString("zh-CN", { hour12: false });
  } catch {
    return "";
  }
}

/**
 * @typedef {object} RenderContext
 * @property {import("./config.js").KefuConfig} config
 * @property {(reply: QuickReply) => void} onQuickReply
 * @property {(id: string) => void} onRetry
 * @property {() => boolean} isOnline
 * @property {() => void} onMediaLoad  Called when an image finishes loading (to keep the list scrolled).
 */

/**
 * A bot or person message: avatar, optional sender label, bubble, quick replies; null when nothing is showable.
 * @param {ChatMessage} msg @param {RenderContext} ctx @returns {HTMLElement|null}
 */
export function createAgentMessage(msg, ctx) {
  const image = msg.image ? safeHttpUrl(msg.image, ctx.config.socketUrl) : null;
  if (!msg.text && !image && !(msg.buttons && msg.buttons.length)) return null;
  const isPerson = msg.role === "person";
  const sender = isPerson ? `人工客服 · ${msg.name || "客服"}` : `${ctx.config.shopName} 客服助手`;
  const root = el("div", `kefu-msg kefu-msg--agent${isPerson ? " kefu-msg--person" : ""}`, {
    "data-kefu": "message",
    "data-role": msg.role,
    role: "group",
    "aria-label": sender,
  });
  root.appendChild(isPerson ? createAvatar(null, "人", "kefu-avatar--person") : createAvatar(ctx.config.shopAvatar, ctx.config.shopName));
  const body = el("div", "kefu-body");
  if (isPerson) {
    const label = el("div", "kefu-sender");
    label.textContent = sender;
    body.appendChild(label);
  }
  if (msg.text || image) {
    const bubble = el("div", "kefu-bubble");
    const time = formatTime(msg.at);
    if (time) bubble.title = time;
    if (msg.text) {
      const text = el("div", "kefu-text");
      appendLinkified(text, msg.text);
      bubble.appendChild(text);
    }
    if (image) {
      const img = /** @type {HTMLImageElement} */ (el("img", "kefu-image", { alt: "图片", loading: "lazy" }));
      img.addEventListener("load", () => ctx.onMediaLoad(), { once: true });
      img.src = image;
      bubble.appendChild(img);
    }
    body.appendChild(bubble);
  }
  if (msg.buttons && msg.buttons.length) {
    const group = el("div", "kefu-quick-replies", { role: "group", "aria-label": "快捷回复" });
    for (const reply of msg.buttons) {
      const button = /** @type {HTMLButtonElement} */ (el("button", "kefu-quick-reply", { type: "button", "data-kefu": "quick-reply" }));
      button.textContent = reply.title;
      button.addEventListener("click", () => {
        if (!button.disabled) ctx.onQuickReply(reply);
      });
      group.appendChild(button);
    }
    body.appendChild(group);
  }
  root.appendChild(body);
  return root;
}

/**
 * A user bubble (right side) with its delivery status line.
 * @param {{id?: string, text: string, status: import("./connection.js").DeliveryStatus, refusal?: string, at?: number}} item
 * @param {RenderContext} ctx @returns {HTMLElement}
 */
export function createUserMessage(item, ctx) {
  const root = el("div", "kefu-msg kefu-msg--user", { "data-kefu": "message", "data-role": "user", role: "group", "aria-label": "我" });
  if (item.id) root.setAttribute("data-message-id", item.id);
  const body = el("div", "kefu-body");
  const bubble = el("div", "kefu-bubble");
  const time = formatTime(item.at);
  if (time) bubble.title = time;
  const text = el("div", "kefu-text");
  appendLinkified(text, item.text);
  bubble.appendChild(text);
  body.appendChild(bubble);
  body.appendChild(el("div", "kefu-meta"));
  root.appendChild(body);
  setUserStatus(root, item, ctx);
  return root;
}

/**
 * Updates a user bubble's data-status and its status line (offline label, retry button, refusal text).
 * @param {HTMLElement} root
 * @param {{id?: string, status: import("./connection.js").DeliveryStatus, refusal?: string}} item
 * @param {RenderContext} ctx
 */
export function setUserStatus(root, item, ctx) {
  root.setAttribute("data-status", item.status);
  const meta = /** @type {HTMLElement} */ (root.querySelector(".kefu-meta"));
  meta.textContent = "";
  if (item.status === "pending" && !ctx.isOnline()) {
    meta.textContent = "等待网络连接，恢复后自动发送";
  } else if (item.status === "refused") {
    meta.textContent = item.refusal ? `未发送：${item.refusal}` : "未发送";
  } else if (item.status === "failed" && item.id) {
    const id = item.id;
    const label = el("span", "");
    label.textContent = "发送失败";
    const retry = el("button", "kefu-retry", { type: "button", "data-kefu": "retry", "aria-label": "重新发送" });
    retry.textContent = "重试";
    retry.addEventListener("click", () => ctx.onRetry(id));
    meta.append(label, retry);
  }
  meta.hidden = !meta.firstChild;
}

/**
 * A centred, small widget-own notice line.
 * @param {string} text @returns {HTMLElement}
 */
export function createNotice(text) {
  const node = el("div", "kefu-notice", { "data-kefu": "message", "data-role": "notice" });
  node.textContent = text;
  return node;
}

/**
 * The shop's local greeting: looks like a bot bubble but is a notice (never sent, not in history).
 * @param {string} text @param {import("./config.js").KefuConfig} config @returns {HTMLElement}
 */
export function createGreeting(text, config) {
  const root = el("div", "kefu-msg kefu-msg--agent kefu-greeting", {
    "data-kefu": "message",
    "data-role": "notice",
    "data-notice": "greeting",
  });
  root.appendChild(createAvatar(config.shopAvatar, config.shopName));
  const body = el("div", "kefu-body");
  const bubble = el("div", "kefu-bubble");
  const inner = el("div", "kefu-text");
  appendLinkified(inner, text);
  bubble.appendChild(inner);
  body.appendChild(bubble);
  root.appendChild(body);
  return root;
}

/**
 * Three animated dots in a bot bubble.
 * @param {import("./config.js").KefuConfig} config @returns {HTMLElement}
 */
export function createTyping(config) {
  const root = el("div", "kefu-msg kefu-msg--agent kefu-typing", {
    "data-kefu": "typing",
    role: "img",
    "aria-label": "客服正在输入…",
  });
  root.appendChild(createAvatar(config.shopAvatar, config.shopName));
  const bubble = el("div", "kefu-bubble kefu-dots");
  for (let i = 0; i < 3; i++) bubble.appendChild(el("span", "kefu-dot"));
  root.appendChild(bubble);
  return root;
}
