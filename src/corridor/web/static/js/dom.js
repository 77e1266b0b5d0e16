// Building DOM nodes from data without innerHTML, so text from the server is never parsed as markup.

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

/** Replace every child of `el`. */
export function fill(el, ...children) {
  el.replaceChildren();
  for (const child of children.flat(Infinity)) if (child) el.append(child);
}

/** A window (start, end, IANA zone) in the zone it was agreed in: the clock used on the ground. */
export function formatWindow(window) {
  const fmt = (iso) => new Intl.DateTimeFormat("en-GB", {
    timeZone: window.tz, dateStyle: "medium", timeStyle: "short",
  }).format(new Date(iso));
  const end = window.end ? fmt(window.end) : "open-ended";
  return `${fmt(window.start)} to ${end} (${window.tz})`;
}

/** A timestamp in the viewer's own zone, to the minute. */
export function formatTime(iso) {
  return new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short" })
    .format(new Date(iso));
}
