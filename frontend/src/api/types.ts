// The shapes the catalog and checkout APIs answer with (see their /openapi.json). Money is always a decimal
// string ("49.99"): it is displayed, never computed with, on this side.

export type Money = string

export type SortKey = 'relevance' | 'price_asc' | 'price_desc' | 'popularity' | 'newest'

export interface CategoryRef {
  slug: string
  name: string
}

export interface ProductSummary {
  sku: string
  slug: string
  name: string
  brand: string
  price: Money
  currency: string
  image: string | null
  in_stock: boolean
  available: number
  popularity: number
}

export interface Facets {
  categories: Array<CategoryRef & { count: number }>
  brands: Array<{ value: string; count: number }>
  price_ranges: Array<{ min: Money; max: Money | null; count: number }>
}

export interface ProductPage {
  products: ProductSummary[]
  total: number
  page: number
  limit: number
  pages: number
  sort: SortKey
  category: (CategoryRef & { path: CategoryRef[] }) | null
  facets: Facets
}

export interface ProductDetail extends ProductSummary {
  description: string
  status: string
  category_path: CategoryRef[]
  images: Array<{ url: string; alt_text: string | null }>
}

export interface CategoryNode extends CategoryRef {
  depth: number
  product_count: number
  children: CategoryNode[]
}

export interface SearchHit extends ProductSummary {
  /** HTML-escaped text with <mark> around the matches: the only API text that may be rendered as HTML. */
  highlight: { name: string; brand: string }
}

export interface SearchResult {
  engine: 'mysql' | 'meilisearch'
  query: string
  total: number
  total_is_exact: boolean
  page: number
  limit: number
  hits: SearchHit[]
  facets: Facets
  took_ms: number
}

export interface CartLine {
  sku: string
  quantity: number
  unit_price: Money
  name: string
  slug: string
  image: string | null
  line_total: Money
  /** Null when the catalog could not be asked (cart.checked is then false). */
  current_price: Money | null
  available: number | null
  price_changed: boolean
  availability_changed: boolean
}

/** `checking_out`: a place-order attempt (perhaps in another tab) holds the cart; it cannot change meanwhile. */
export type CartState = 'open' | 'checking_out' | 'converted'

export interface Cart {
  token: string
  state: CartState
  currency: string
  items: CartLine[]
  item_count: number
  subtotal: Money
  checked: boolean
  has_changes: boolean
  max_quantity: number
  expires_at: string
}

export interface Address {
  line1: string
  line2?: string | null
  city: string
  region?: string | null
  postal_code: string
  country: string
}

export type ShippingMethod = 'standard' | 'express'
export type CardToken = 'tok_visa' | 'tok_declined' | 'tok_provider_outage'

export interface PlaceOrderRequest {
  cart_token: string
  email: string
  customer_name: string
  shipping_address: Address
  shipping_method: ShippingMethod
  card_token: CardToken
}

export interface OrderLine {
  sku: string
  name: string
  unit_price: Money
  quantity: number
  line_total: Money
}

export interface Order {
  number: string
  state: string
  email: string
  customer_name: string
  lines: OrderLine[]
  subtotal: Money
  shipping: Money
  tax: Money
  total: Money
  currency: string
  shipping_method: ShippingMethod
  shipping_address: Address
  created_at: string
}

export interface PlacedOrder extends Order {
  lookup_token: string
  order_url: string
}

/** Lines of a 409 problem: insufficient_stock / out_of_stock, or price_changed. */
export interface StockProblemLine {
  sku: string
  requested: number
  available: number
}
export interface PriceProblemLine {
  sku: string
  name: string
  old_price: Money
  new_price: Money
}
