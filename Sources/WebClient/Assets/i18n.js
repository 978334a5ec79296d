// Every string the client shows is looked up here by key, from messages-<locale>.json next to
// this module. Add a locale by adding its file and its code to `locales`.
const locales = ['en'];
let messages = {};
let fallback = {};

async function load(locale) {
  const response = await fetch(new URL(`messages-${locale}.json`, import.meta.url));
  if (!response.ok) throw new Error(`messages-${locale}.json: ${response.status}`);
  return response.json();
}

/** Loads the best locale the browser asks for (English when none matches). */
export async function loadMessages() {
  fallback = await load('en');
  const wanted = (navigator.languages || [navigator.language || 'en'])
    .map((tag) => tag.toLowerCase().split('-')[0])
    .find((code) => locales.includes(code)) || 'en';
  messages = wanted === 'en' ? fallback : await load(wanted);
  plurals = new Intl.PluralRules(wanted);
  document.documentElement.lang = wanted;
}

let plurals = new Intl.PluralRules('en');

/**
 * The message for `key` with `{name}` placeholders filled from `values`. With a numeric
 * `values.count`, the plural form `key_one`, `key_other` (Intl.PluralRules categories) is used
 * when the messages file has one.
 */
export function t(key, values = {}) {
  if (typeof values.count === 'number') {
    const form = `${key}_${plurals.select(values.count)}`;
    if (form in messages || form in fallback) key = form;
  }
  const text = messages[key] ?? fallback[key];
  if (text === undefined) {
    console.warn(`missing message ${key}`);
    return key;
  }
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in values ? String(values[name]) : `{${name}}`));
}

/** Fills `data-i18n` (text), `data-i18n-label` (aria-label) and `data-i18n-placeholder`. */
export function translate(root) {
  for (const element of root.querySelectorAll('[data-i18n]')) element.textContent = t(element.dataset.i18n);
  for (const element of root.querySelectorAll('[data-i18n-label]')) {
    element.setAttribute('aria-label', t(element.dataset.i18nLabel));
  }
  for (const element of root.querySelectorAll('[data-i18n-placeholder]')) {
    element.setAttribute('placeholder', t(element.dataset.i18nPlaceholder));
  }
}
