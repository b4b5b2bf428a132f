// The shapes the catalog and checkout APIs read and answer with, under the names the app uses. They are not
// written here: the services generate their OpenAPI documents from their Rust types (catalog/openapi.json,
// checkout/openapi.json), and `npm run gen:api` turns those into ./generated; `npm run typecheck` fails when
// ./generated is older than the documents. Money is always a decimal string ("49.99"): it is displayed,
// never computed with, on this side.
import type { components as CatalogApi } from './generated/catalog'
import type { components as CheckoutApi } from './generated/checkout'

type Catalog = CatalogApi['schemas']
type Checkout = CheckoutApi['schemas']

export type Money = string

export type SortKey = Catalog['Sort']
export type CategoryRef = Catalog['CategoryRef']
export type ProductSummary = Catalog['ProductSummary']
export type Facets = Catalog['Facets']
export type ProductPage = Catalog['Listing']
export type ProductDetail = Catalog['ProductDetail']
export type CategoryNode = Catalog['CategoryNode']
/** A back-in-stock alert as its unsubscribe page shows it. */
export type StockAlert = Catalog['AlertView']
/** `highlight` is HTML-escaped text with <mark> around the matches: the only API text that may be rendered as HTML. */
export type SearchHit = Catalog['Hit']
export type SearchResult = Catalog['SearchResponse']

export type CartLine = Checkout['CartLine']
/** `checking_out`: a place-order attempt (perhaps in another tab) holds the cart; it cannot change meanwhile. */
export type CartState = Checkout['CartState']
export type Cart = Checkout['Cart']
/** What placing the order now would charge (the rule place-order charges by). */
export type CartTotals = Checkout['CartTotals']
/** The promotion code on a cart; `applies` false (with a `reason`) when it takes nothing off now. */
export type Coupon = Checkout['Coupon']
/** One promotion applied: `amount` off the lines, `shipping` off the shipping charge; `code` null when automatic. */
export type Discount = Checkout['Discount']
export type Address = Checkout['Address']
export type ShippingMethod = Checkout['ShippingMethod']
export type PlaceOrderRequest = Checkout['PlaceOrder']
export type CardToken = PlaceOrderRequest['card_token']
export type OrderLine = Checkout['OrderLine']
export type Order = Checkout['Order']
export type PlacedOrder = Checkout['PlacedOrder']
/** The order with what happened to it, oldest first (never staff notes or names). */
export type OrderWithTimeline = Checkout['OrderPage']
export type TimelineEntry = Checkout['ShopperEntry']

/** Lines of a 409 problem: insufficient_stock / out_of_stock, or price_changed. */
export type StockProblemLine = Checkout['ShortLine']
export type PriceProblemLine = Checkout['PriceChange']
