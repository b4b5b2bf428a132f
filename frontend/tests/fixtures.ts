// Small builders for API answers used across the unit tests.
import type { Cart, CartLine, SearchResult } from '../src/api/types'

export function cartLine(overrides: Partial<CartLine> = {}): CartLine {
  return {
    sku: 'BB-AAAA',
    quantity: 1,
    unit_price: '49.99',
    name: 'Phone',
    slug: 'phone',
    image: null,
    line_total: '49.99',
    current_price: '49.99',
    available: 10,
    price_changed: false,
    availability_changed: false,
    ...overrides,
  }
}

export function cart(token: string, items: CartLine[] = [], overrides: Partial<Cart> = {}): Cart {
  return {
    token,
    state: 'open',
    currency: 'USD',
    items,
    item_count: items.reduce((n, line) => n + line.quantity, 0),
    subtotal: '0',
    checked: true,
    has_changes: false,
    max_quantity: 10,
    expires_at: '2030-01-01T00:00:00Z',
    ...overrides,
  }
}

export function searchResult(
  query: string,
  names: string[],
  engine: SearchResult['engine'] = 'mysql',
  didYouMean: string | null = null,
): SearchResult {
  return {
    engine,
    did_you_mean: didYouMean,
    suggested_categories: names.length ? [{ slug: 'phones', name: 'Phones', count: names.length }] : [],
    query,
    total: names.length,
    total_is_exact: true,
    page: 1,
    limit: 6,
    hits: names.map((name, i) => ({
      sku: `BB-${i}`,
      slug: `p-${i}`,
      name,
      brand: 'Brand',
      price: '10.00',
      max_price: '10.00',
      currency: 'USD',
      image: null,
      in_stock: true,
      available: 5,
      popularity: 1,
      created_at: '2030-01-01T00:00:00Z',
      highlight: { name: `<mark>${name.slice(0, query.length)}</mark>${name.slice(query.length)}`, brand: 'Brand' },
    })),
    facets: { categories: [{ slug: 'phones', name: 'Phones', count: names.length }], brands: [], price_ranges: [] },
    took_ms: 1,
  }
}
