// How stock and places are told to shoppers: "Only 3 left" when few remain (never a raw count of a large
// stock), and countries by their English name.

/** At or below this many units a shopper is told how many are left. */
export const LOW_STOCK = 5

/** "Only N left" when stock is low, else nothing to add to "In stock". */
export function stockNote(available: number): string | null {
  if (available <= 0 || available > LOW_STOCK) return null
  return `Only ${available} left`
}

/** Availability in one short phrase, for where there is room for no more (a dropdown, the phone's buy bar). */
export interface Availability {
  text: string
  /** `low` and `out` are shown in the warning colour. */
  level: 'ok' | 'low' | 'out'
}

export function availability(inStock: boolean, available: number): Availability {
  if (!inStock) return { text: 'Out of stock', level: 'out' }
  const note = stockNote(available)
  return note ? { text: note, level: 'low' } : { text: 'In stock', level: 'ok' }
}

const regions = typeof Intl.DisplayNames === 'function' ? new Intl.DisplayNames(['en'], { type: 'region' }) : null

/** The English name of an ISO 3166-1 alpha-2 `code` ("United States" for "US"); the code when unknown. */
export function countryName(code: string): string {
  const upper = code.trim().toUpperCase()
  try {
    return (/^[A-Z]{2}$/.test(upper) && regions?.of(upper)) || code
  } catch {
    return code
  }
}
