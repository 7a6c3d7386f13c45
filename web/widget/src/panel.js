/**
 * The launcher button, the dialog panel (header, log, composer) and their keyboard/focus behaviour.
 * Knows nothing about sockets: it reports submits and the first opening through callbacks.
 */
import { MAX_MESSAGE_CHARS } from "./config.js";
import { createAvatar, el } from "./render.js";

const SVG_NS = "http://www.w3.org/2000/svg";
let instances = 0;

/**
 * A small decorative SVG icon from one path.
 * @param {string} d @returns {SVGSVGElement}
 */
function icon(d) {
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  svg.setAttribute("class", "kefu-icon");
  const path = document.createElementNS(SVG_NS, "path");
  path.setAttribute("d", d);
  svg.appendChild(path);
  return svg;
}

const CHAT_ICON =
  "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-4.5 3.6A.9.9 0 0 1 3 20.9V6a2 2 0 0 1 1-2zm3 6.2a1.3 1.3 0 1 0 0 2.6 1.3 1.3 0 0 0 0-2.6zm5 0a1.3 1.3 0 1 0 0 2.6 1.3 1.3 0 0 0 0-2.6zm5 0a1.3 1.3 0 1 0 0 2.6 1.3 1.3 0 0 0 0-2.6z";
const CLOSE_ICON =
  "M6.4 5 12 10.6 17.6 5 19 6.4 13.4 12l5.6 5.6-1.4 1.4-5.6-5.6L6.4 19 5 17.6 10.6 12 5 6.4z";

/**
 * @typedef {object} PanelCallbacks
 * @property {(text: string) => boolean} onSubmit  Returns true when the text was accepted (the input is then cleared).
 * @property {() => void} onOpen                    Called every time the panel opens.
 */

/**
 * Builds the widget DOM (not yet attached) and wires its interactions.
 * @param {import("./config.js").KefuConfig} config
 * @param {PanelCallbacks} callbacks
 */
export function createPanel(config, callbacks) {
  const panelId = `kefu-panel-${++instances}`;
  const root = el("div", "kefu-root", { "data-kefu": "root", "data-state": "closed" });

  const panel = el("section", "kefu-panel", {
    id: panelId,
    "data-kefu": "panel",
    role: "dialog",
    "aria-modal": "false",
    "aria-label": `${config.shopName} 在线客服`,
  });
  panel.hidden = true;

  const header = el("div", "kefu-header");
  const title = el("div", "kefu-title");
  const name = el("div", "kefu-name");
  name.textContent = config.shopName;
  const status = el("div", "kefu-status", { "data-kefu": "status", role: "status", "data-state": "connecting" });
  status.textContent = "正在连接…";
  title.append(name, status);
  const close = el("button", "kefu-close", { type: "button", "aria-label": "关闭客服窗口", "data-kefu": "close" });
  close.appendChild(icon(CLOSE_ICON));
  header.append(createAvatar(config.shopAvatar, config.shopName, "kefu-avatar--header"), title, close);

  const log = el("div", "kefu-log", { "data-kefu": "log", role: "log", "aria-live": "polite", "aria-label": "聊天记录" });

  const form = el("form", "kefu-composer", { novalidate: "" });
  const input = /** @type {HTMLTextAreaElement} */ (
    el("textarea", "kefu-input", {
      "data-kefu": "input",
      "aria-label": "输入消息",
      placeholder: "请输入您的问题…",
      maxlength: String(MAX_MESSAGE_CHARS),
      rows: "1",
      enterkeyhint: "send",
    })
  );
  const send = el("button", "kefu-send", { type: "submit", "data-kefu": "send" });
  send.textContent = "发送";
  form.append(input, send);
  panel.append(header, log, form);

  const launcher = el("button", "kefu-launcher", {
    type: "button",
    "data-kefu": "launcher",
    "aria-label": "打开在线客服",
    "aria-expanded": "false",
    "aria-controls": panelId,
  });
  launcher.append(icon(CHAT_ICON), icon(CLOSE_ICON));
  root.append(panel, launcher);

  const isOpen = () => !panel.hidden;

  function open() {
    if (isOpen()) return;
    panel.hidden = false;
    root.setAttribute("data-state", "open");
    launcher.setAttribute("aria-expanded", "true");
    callbacks.onOpen();
    input.focus({ preventScroll: true });
  }

  /** Closes the panel; focus goes back to the launcher when it was inside the panel. @param {boolean} [returnFocus] */
  function closePanel(returnFocus = true) {
    if (!isOpen()) return;
    const hadFocus = panel.contains(document.activeElement);
    panel.hidden = true;
    root.setAttribute("data-state", "closed");
    launcher.setAttribute("aria-expanded", "false");
    if (returnFocus || hadFocus) launcher.focus({ preventScroll: true });
  }

  /** Grows the textarea with its content, up to the CSS max-height. */
  function autosize() {
    input.style.height = "auto";
    input.style.height = `${Math.min(input.scrollHeight, 120)}px`;
  }

  function submit() {
    if (callbacks.onSubmit(input.value)) {
      input.value = "";
      autosize();
    }
    input.focus({ preventScroll: true });
  }

  launcher.addEventListener("click", () => (isOpen() ? closePanel() : open()));
  close.addEventListener("click", () => closePanel());
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });
  input.addEventListener("input", autosize);
  input.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || event.shiftKey) return;
    if (event.isComposing || event.keyCode === 229) return; // IME is confirming a candidate
    event.preventDefault();
    submit();
  });
  root.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && isOpen() && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      closePanel();
    }
  });

  return {
    root,
    log,
    input,
    open,
    close: closePanel,
    isOpen,
    /**
     * Sets the connection line in the header.
     * @param {string} text @param {string} state
     */
    setStatus(text, state) {
      status.textContent = text;
      status.setAttribute("data-state", state);
    },
    /** Removes the widget from the page. */
    destroy() {
      root.remove();
    },
  };
}
