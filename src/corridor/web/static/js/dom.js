// Building DOM nodes from data without innerHTML, so text from the server is never parsed as markup.
import { formatDate, t } from "./i18n.js";

/**
 * Create an element. `attrs` keys starting with "on" become listeners, `text` sets the text,
 * `dataset` fills data-* attributes; false/null attributes are left out.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2).toLowerCase(), value);
    else if (key === "text") el.textContent = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** The data-* attributes of `node` and its ancestors up to (not including) `root`. */
function dataPath(node, root) {
  const path = [];
  for (let n = node; n && n !== root; n = n.parentElement) {
    if (Object.keys(n.dataset).length) path.push({ ...n.dataset });
  }
  return path;
}

/**
 * What identifies a control across re-renders: the data-* attributes of it and the items it
 * sits in, then its own tag, class and name, and its text when it carries no data of its own.
 * Text alone would not do: an item's text changes with the state it shows.
 */
function identity(node, root) {
  const own = Object.keys(node.dataset).length ? null : node.textContent.trim();
  return JSON.stringify([node.tagName, node.className, node.getAttribute("name"),
    dataPath(node, root), own]);
}

function sameIn(root, node, key) {
  return [...root.querySelectorAll(node.tagName)].find((n) => identity(n, root) === key);
}

/**
 * Replace every child of `el`, keeping what the user is in the middle of: live updates re-render
 * the panels, and a keyboard user must not lose focus, nor anyone a half-typed reason or an
 * expanded section.
 */
export function fill(el, ...children) {
  const active = el.contains(document.activeElement) && document.activeElement !== el
    ? document.activeElement : null;
  const focusKey = active && identity(active, el);
  const typed = [...el.querySelectorAll("input[type=text], textarea")].filter((n) => n.value)
    .map((n) => [identity(n, el), n]);
  const opened = [...el.querySelectorAll("details[open]")].map((n) => [identity(n, el), n]);
  el.replaceChildren();
  for (const child of children.flat(Infinity)) if (child) el.append(child);
  for (const [key, old] of typed) {
    const now = sameIn(el, old, key);
    if (now) now.value = old.value;
  }
  for (const [key, old] of opened) sameIn(el, old, key)?.setAttribute("open", "");
  if (active) sameIn(el, active, focusKey)?.focus({ preventScroll: true });
}

/** The one time zone of the screen: every time is shown and asked for in it. */
let screenZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

/** Show times in `zone` (the scenario's); without one, in the viewer's own. Returns the zone. */
export function useZone(zone) {
  if (zone) screenZone = zone;
  return screenZone;
}

/** A timestamp in the screen's zone, to the minute, as the chosen language writes it. */
export function formatTime(iso) {
  return formatDate(new Date(iso), { timeZone: screenZone, dateStyle: "medium", timeStyle: "short" });
}

/** A window (start, end, IANA zone), in the screen's zone; one agreed in another says so. */
export function formatWindow(window) {
  const start = formatTime(window.start);
  const span = window.end ? t("window.span", { start, end: formatTime(window.end) })
    : t("window.open_ended", { start });
  return window.tz && window.tz !== screenZone
    ? t("window.agreed_in", { window: span, zone: window.tz }) : span;
}
