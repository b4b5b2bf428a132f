// Small builders for API answers used across the unit tests.
import type { Customer, MergeNote, OrderSummary, SavedAddress, SignedIn, WishlistItem } from '../src/api/account'
import type { Cart, CartLine, CartTotals, Discount, OrderWithTimeline, SearchResult } from '../src/api/types'

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
    coupon: null,
    discount: '0.00',
    discounts: [],
    ...overrides,
  }
}

/** A promotion applied: `amount` off the lines, `shipping` off the shipping charge. */
export function discount(name: string, code: string | null, amount: string, shipping = '0.00'): Discount {
  return { name, code, amount, shipping }
}

/** What checkout's totals preview answers for a cart without promotions unless told otherwise. */
export function cartTotals(overrides: Partial<CartTotals> = {}): CartTotals {
  return {
    currency: 'USD',
    shipping_method: 'standard',
    item_count: 2,
    subtotal: '99.98',
    discount: '0.00',
    discounts: [],
    coupon: null,
    shipping: '4.99',
    tax: '8.00',
    total: '112.97',
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

export function customer(overrides: Partial<Customer> = {}): Customer {
  return {
    id: '0192a000-0000-7000-8000-000000000001',
    email: 'ann@example.com',
    name: 'Ann Lee',
    email_verified: true,
    created_at: '2030-01-01T00:00:00Z',
    ...overrides,
  }
}

export function signedIn(cartToken: string | null, notes: MergeNote[] = [], who: Customer = customer()): SignedIn {
  return { customer: who, cart: { token: cartToken, notes } }
}

export function orderSummary(number: string, overrides: Partial<OrderSummary> = {}): OrderSummary {
  return {
    number,
    placed_at: '2030-03-01T10:00:00Z',
    status: 'paid',
    total: '104.97',
    currency: 'USD',
    item_count: 3,
    lines: [
      { sku: 'CASE-1', name: 'Phone case', quantity: 2 },
      { sku: 'CHG-1', name: 'Charger', quantity: 1 },
    ],
    ...overrides,
  }
}

export function savedAddress(id: number, overrides: Partial<SavedAddress> = {}): SavedAddress {
  return {
    id,
    name: 'Ann Lee',
    line1: `${id} Main St`,
    line2: null,
    city: 'Springfield',
    region: 'IL',
    postal_code: '62701',
    country: 'US',
    is_default: false,
    ...overrides,
  }
}

export function wishlistItem(sku: string, overrides: Partial<WishlistItem> = {}): WishlistItem {
  return {
    sku,
    name: `Product ${sku}`,
    slug: sku.toLowerCase(),
    image: null,
    price: '19.99',
    currency: 'USD',
    available: 12,
    for_sale: true,
    added_at: '2030-03-01T10:00:00Z',
    ...overrides,
  }
}

/** An order page as checkout's lookup and the account's order both answer it. */
export function orderPage(number: string, overrides: Partial<OrderWithTimeline> = {}): OrderWithTimeline {
  return {
    number,
    state: 'shipped',
    email: 'ann@example.com',
    customer_name: 'Ann Lee',
    currency: 'USD',
    lines: [
      { sku: 'CASE-1', name: 'Phone case', quantity: 2, unit_price: '19.99', line_total: '39.98', discount: '0.00' },
      { sku: 'CHG-1', name: 'Charger', quantity: 1, unit_price: '29.99', line_total: '29.99', discount: '0.00' },
    ],
    subtotal: '69.97',
    discount: '0.00',
    discounts: [],
    shipping: '4.99',
    tax: '5.60',
    total: '80.56',
    shipping_method: 'standard',
    shipping_address: { line1: '1 Main St', line2: null, city: 'Springfield', region: 'IL', postal_code: '62701', country: 'US' },
    created_at: '2030-03-01T10:00:00Z',
    updated_at: '2030-03-02T10:00:00Z',
    timeline: [
      { type: 'placed', at: '2030-03-01T10:00:00Z' },
      { type: 'paid', at: '2030-03-01T10:00:05Z' },
      { type: 'shipped', at: '2030-03-02T10:00:00Z', carrier: 'UPS', tracking_number: '1Z999', tracking_url: 'https://www.ups.com/track?tracknum=1Z999' },
    ],
    ...overrides,
  }
}
