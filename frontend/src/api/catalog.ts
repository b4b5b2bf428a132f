// The catalog service: listing, product detail, category tree and search-as-you-type.
import { prefetch, queryString, request } from './http'
import type { CategoryNode, ProductDetail, ProductPage, ProductSummary, SearchResult, SortKey, StockAlert } from './types'

/** The listing filters; the same names as the API's query parameters and the storefront's URLs. */
export interface ListingFilters {
  category?: string
  brand?: string
  min_price?: string
  max_price?: string
  in_stock?: boolean
  sort?: SortKey
  page?: number
  limit?: number
}

const listingPath = (filters: ListingFilters) => `/api/products${queryString({ ...filters })}`
const productPath = (slug: string) => `/api/products/${encodeURIComponent(slug)}`
const searchPath = (q: string, filters: ListingFilters) => `/api/search${queryString({ q, ...filters })}`

export function listProducts(filters: ListingFilters, signal?: AbortSignal): Promise<ProductPage> {
  return request(listingPath(filters), { signal })
}

export function getProduct(slug: string, signal?: AbortSignal): Promise<ProductDetail> {
  return request(productPath(slug), { signal })
}

/** Products to show beside a product: in stock, its category's (its brand's first), then the category above. */
export async function getRelatedProducts(slug: string, limit: number, signal?: AbortSignal): Promise<ProductSummary[]> {
  const body = await request<{ products: ProductSummary[] }>(
    `/api/products/${encodeURIComponent(slug)}/related${queryString({ limit })}`,
    { signal },
  )
  return body.products
}

export async function getCategories(signal?: AbortSignal): Promise<CategoryNode[]> {
  const body = await request<{ categories: CategoryNode[] }>('/api/categories', { signal })
  return body.categories
}

export function search(q: string, filters: ListingFilters, signal?: AbortSignal): Promise<SearchResult> {
  return request(searchPath(q, filters), { signal })
}

/** The first requests of a page, started ahead of its code (see http.ts `prefetch`). */
export const ahead = {
  listProducts: (filters: ListingFilters) => prefetch(listingPath(filters)),
  getProduct: (slug: string) => prefetch(productPath(slug)),
  search: (q: string, filters: ListingFilters) => prefetch(searchPath(q, filters)),
}

/** Email `email` once when the sold-out variant `sku` of product `slug` is available again. */
export async function requestStockAlert(slug: string, sku: string, email: string): Promise<void> {
  await request(`/api/products/${encodeURIComponent(slug)}/stock-alerts`, { method: 'POST', body: { email, sku } })
}

/** The alert of an email's unsubscribe link. */
export function getStockAlert(token: string, signal?: AbortSignal): Promise<StockAlert> {
  return request(`/api/stock-alerts/${encodeURIComponent(token)}`, { signal })
}

/** Unsubscribes the alert of an email's link (again is the same). */
export async function unsubscribeStockAlert(token: string): Promise<void> {
  await request(`/api/stock-alerts/${encodeURIComponent(token)}`, { method: 'DELETE' })
}
