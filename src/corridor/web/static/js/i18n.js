// The dashboard's languages: catalogs of texts by key (static/i18n/<lang>.json), plural forms,
// numbers and dates in the chosen locale, the page's own markup translated through data-i18n
// attributes, and the choice remembered. Changing language announces itself on `document` as
// `corridor:language` (detail.lang), so each part of the page redraws its own text.

/** The languages offered, each named in itself, as a reader looks for their own. */
export const LANGUAGES = { en: "English", uk: "Українська", ru: "Русский" };
/** The locale of each language's numbers and dates: English ones are written the British way
 * (day before month, a 24-hour clock), as the operations' other papers are. */
const LOCALES = { en: "en-GB", uk: "uk", ru: "ru" };
const FALLBACK = "en";
const STORE_KEY = "corridor.language";
/** Attributes of elements filled from `data-i18n-<attribute>`. */
const ATTRIBUTES = ["aria-label", "title", "placeholder"];

let current = FALLBACK;
let catalog = {};
let english = {};

/** Mark a key used under a computed name (`t(word)`), so the catalog check counts it as used. */
export const N_ = (key) => key;

async function fetchCatalog(lang) {
  const response = await fetch(`/static/app/i18n/${lang}.json`);
  if (!response.ok) throw new Error(`catalog ${lang}: ${response.status} ${response.statusText}`);
  return response.json();
}

/** The chosen language's code ("en", "uk", "ru"). */
export function language() {
  return current;
}

/**
 * `text` with each `{name}` replaced by `params.name`. The plural `count` is written in the
 * locale's way; other numbers are ids as the server sent them, and measures come formatted.
 */
function interpolate(text, params) {
  return text.replace(/\{(\w+)\}/g, (slot, name) => {
    if (!(name in params)) return slot;
    const value = params[name];
    return name === "count" && typeof value === "number" ? formatNumber(value) : String(value);
  });
}

/**
 * The text of `key` in the chosen language, its `{name}` slots filled from `params`. A key whose
 * entry is an object of plural forms picks the form `params.count` takes in the language
 * (Ukrainian and Russian tell one, few and many apart; English one and other). A key the
 * catalog lacks falls back to English, then to the key itself, so a gap shows and never breaks.
 */
export function t(key, params = {}) {
  let entry = catalog[key] ?? english[key] ?? key;
  if (typeof entry === "object") {
    const form = new Intl.PluralRules(LOCALES[current]).select(params.count ?? 0);
    entry = entry[form] ?? entry.other;
  }
  return interpolate(entry, params);
}

/** A code the server sends (a status, a stance, a risk) as a word, or as it came if unknown. */
export function word(group, code) {
  if (code === null || code === undefined) return "";
  const key = `${group}.${code}`;
  return key in catalog || key in english ? t(key) : String(code);
}

/** A number in the chosen locale, with exactly `digits` decimals when given. */
export function formatNumber(value, digits) {
  const options = digits === undefined ? {}
    : { minimumFractionDigits: digits, maximumFractionDigits: digits };
  return new Intl.NumberFormat(LOCALES[current], options).format(value);
}

/** A date and time in the chosen locale; `options` as Intl.DateTimeFormat takes them. */
export function formatDate(date, options) {
  return new Intl.DateTimeFormat(LOCALES[current], options).format(date);
}

/** Translate the marked markup under `root`: text from `data-i18n`, attributes from theirs. */
export function translatePage(root = document) {
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const attribute of ATTRIBUTES) {
    const data = `data-i18n-${attribute}`;
    for (const el of root.querySelectorAll(`[${data}]`)) {
      el.setAttribute(attribute, t(el.getAttribute(data)));
    }
  }
}

/**
 * The language to start in: the user's saved setting, else the one chosen in this browser
 * before, else the first of the browser's languages offered, else English.
 */
export function preferredLanguage(saved = null) {
  const stored = localStorage.getItem(STORE_KEY);
  const browser = (navigator.languages ?? [navigator.language])
    .map((tag) => tag.toLowerCase().split("-")[0]);
  return [saved, stored, ...browser].find((code) => code in LANGUAGES) ?? FALLBACK;
}

/**
 * Switch to `lang`: load its catalog, translate the page, remember the choice and announce it.
 * Whatever the user typed or has focus on stays: only marked text and attributes change.
 */
export async function setLanguage(lang) {
  if (!(lang in LANGUAGES)) throw new Error(`unknown language ${lang}`);
  if (!Object.keys(english).length) english = await fetchCatalog(FALLBACK);
  catalog = lang === FALLBACK ? english : await fetchCatalog(lang);
  current = lang;
  document.documentElement.lang = lang;
  localStorage.setItem(STORE_KEY, lang);
  translatePage();
  document.dispatchEvent(new CustomEvent("corridor:language", { detail: { lang } }));
}
