// The listing's state lives in the URL (?brand=&min_price=&sort=&page=...) so a link or a reload restores the
// view. These two functions are the only translation between the route's query and the API's filters.
import type { LocationQuery, LocationQueryRaw, RouteLocationNormalizedLoaded } from 'vue-router'
import type { ListingFilters } from '../api/catalog'
import type { SortKey } from '../api/types'

export const SORTS: Array<{ value: SortKey; label: string }> = [
  { value: 'relevance', label: 'Relevance' },
  { value: 'popularity', label: 'Most popular' },
  { value: 'price_asc', label: 'Price: low to high' },
  { value: 'price_desc', label: 'Price: high to low' },
  { value: 'newest', label: 'Newest' },
]

export const PAGE_SIZE = 24

const DECIMAL = /^\d{1,10}(\.\d{1,2})?$/

function single(value: LocationQuery[string] | undefined): string | undefined {
  const first = Array.isArray(value) ? value[0] : value
  return first === null || first === undefined || first === '' ? undefined : first
}

/** Reads the filters from a route query, dropping values the API would refuse (a hand-edited URL). */
export function filtersFromQuery(query: LocationQuery): ListingFilters {
  const filters: ListingFilters = {}
  const category = single(query.category)
  if (category) filters.category = category
  const brand = single(query.brand)
  if (brand) filters.brand = brand.slice(0, 128)
  const min = single(query.min_price)
  if (min && DECIMAL.test(min)) filters.min_price = min
  const max = single(query.max_price)
  if (max && DECIMAL.test(max)) filters.max_price = max
  const inStock = single(query.in_stock)
  if (inStock === 'true' || inStock === '1') filters.in_stock = true
  const sort = single(query.sort)
  if (SORTS.some((s) => s.value === sort)) filters.sort = sort as SortKey
  const page = Number.parseInt(single(query.page) ?? '', 10)
  if (Number.isInteger(page) && page > 1 && page <= 10_000) filters.page = page
  return filters
}

/** The route query for some filters; unset values and page 1 stay out of the URL. */
export function queryFromFilters(filters: ListingFilters, extra: LocationQueryRaw = {}): LocationQueryRaw {
  const query: LocationQueryRaw = { ...extra }
  if (filters.category) query.category = filters.category
  if (filters.brand) query.brand = filters.brand
  if (filters.min_price) query.min_price = filters.min_price
  if (filters.max_price) query.max_price = filters.max_price
  if (filters.in_stock) query.in_stock = 'true'
  if (filters.sort) query.sort = filters.sort
  if (filters.page && filters.page > 1) query.page = String(filters.page)
  return query
}

type ListingRoute = Pick<RouteLocationNormalizedLoaded, 'query' | 'params'>

/** What was searched for on the results page (/search?q=). */
export function searchedFor(route: ListingRoute): string {
  return String(route.query.q ?? '').trim()
}

/**
 * The filters a listing page shows for its route: the query's, except that a listing's category is its path
 * (/category/phones), never a query parameter.
 */
export function routeFilters(mode: 'listing' | 'search', route: ListingRoute): ListingFilters {
  const filters = filtersFromQuery(route.query)
  if (mode === 'listing') {
    delete filters.category
    if (typeof route.params.slug === 'string') filters.category = route.params.slug
  }
  return filters
}
