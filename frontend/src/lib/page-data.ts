// The first thing a page asks the catalog for, started by the router as soon as the page is navigated to, while
// the page's code may still be downloading: the page's own request then takes the answer over (api/http.ts
// `prefetch`) instead of asking only once its code has run. Each request is built from what the page builds its
// own with, so the two are the same request.
import { START_LOCATION, type RouteLocationNormalized } from 'vue-router'
import { ahead, type ListingFilters } from '../api/catalog'
import { loadCategories } from './categories'
import { PAGE_SIZE, routeFilters, searchedFor } from './listing-query'

/** The home page's "Popular right now". */
export const POPULAR: ListingFilters = { sort: 'popularity', limit: 10 }

/** Starts the data of the page `to` shows. Another view of the same page (a filter, a variant) asks nothing. */
export function prefetchPageData(to: RouteLocationNormalized, from: RouteLocationNormalized): void {
  if (from !== START_LOCATION && to.path === from.path) return
  // The category tree is shared by the pages that name categories: starting it is all it takes.
  const categories = () => void loadCategories().catch(() => {})
  switch (to.name) {
    case 'home':
      ahead.listProducts(POPULAR)
      categories()
      break
    case 'products':
    case 'category':
      ahead.listProducts({ ...routeFilters('listing', to), limit: PAGE_SIZE })
      if (to.name === 'category') categories()
      break
    case 'search': {
      const q = searchedFor(to)
      const filters = routeFilters('search', to)
      if (q) ahead.search(q, { ...filters, limit: PAGE_SIZE })
      if (filters.category) categories()
      break
    }
    case 'product':
      if (typeof to.params.slug === 'string') ahead.getProduct(to.params.slug)
      break
  }
}
