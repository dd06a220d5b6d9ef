/**
 * Counted nouns in the app's language (English): "1 asset", "2 assets", "1 entry", "0 entries".
 * The one place a count chooses its noun's form, so no screen writes `count === 1 ? … : …`.
 */
const rules = new Intl.PluralRules('en');

/** The form of a noun for `count`: `plural(1, 'asset')` → `asset`; `plural(2, 'entry', 'entries')` → `entries`. */
export function plural(count: number, one: string, other = `${one}s`): string {
  return rules.select(count) === 'one' ? one : other;
}

/** A count with its noun: `countOf(1, 'asset')` → `1 asset`; `countOf(3, 'person', 'people')` → `3 people`. */
export function countOf(count: number, one: string, other?: string): string {
  return `${count} ${plural(count, one, other)}`;
}
