import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { START_LOCATION, createMemoryHistory, createRouter, type RouteLocationNormalized, type Router } from 'vue-router'
import { isAbort, prefetch, request } from '../src/api/http'
import type { ProductPage } from '../src/api/types'
import { prefetchPageData } from '../src/lib/page-data'
import ListingPage from '../src/pages/ListingPage.vue'

const fetchMock = vi.fn<typeof fetch>()
const paths = () => fetchMock.mock.calls.map(([url]) => String(url))

function listing(): ProductPage {
  return {
    products: [],
    total: 0,
    page: 1,
    pages: 1,
    limit: 24,
    sort: 'popularity',
    facets: { categories: [], brands: [], price_ranges: [] },
    category: { slug: 'footwear', name: 'Footwear', path: [{ slug: 'footwear', name: 'Footwear', depth: 0 }] },
  }
}

beforeEach(() => {
  fetchMock.mockReset()
  fetchMock.mockImplementation(async (url) => {
    const body = String(url).startsWith('/api/categories') ? { categories: [] } : String(url).startsWith('/api/products') ? listing() : { ok: true }
    return new Response(JSON.stringify(body), { status: 200 })
  })
  vi.stubGlobal('fetch', fetchMock)
})
afterEach(() => {
  vi.unstubAllGlobals()
  vi.useRealTimers()
})

describe('a request asked for ahead', () => {
  it('is taken over by the same request, once', async () => {
    prefetch('/api/once')
    expect(await request('/api/once')).toEqual({ ok: true })
    expect(paths()).toEqual(['/api/once'])
    await request('/api/once')
    expect(paths()).toEqual(['/api/once', '/api/once'])
  })

  it('is asked again when it waited too long, and never stands in for a change', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    prefetch('/api/stale')
    vi.advanceTimersByTime(11_000)
    await request('/api/stale')
    expect(paths()).toEqual(['/api/stale', '/api/stale'])

    prefetch('/api/carts')
    await request('/api/carts', { method: 'POST', body: {} })
    expect(paths()).toEqual(['/api/stale', '/api/stale', '/api/carts', '/api/carts'])
  })

  it('still ends with an AbortError when the page gives up on it', async () => {
    fetchMock.mockImplementation(() => new Promise(() => {}))
    prefetch('/api/slow')
    const controller = new AbortController()
    const answer = request('/api/slow', { signal: controller.signal })
    controller.abort()
    await expect(answer).rejects.toSatisfy(isAbort)
  })
})

describe('a page’s data started with its navigation', () => {
  let router: Router
  const at = (url: string) => router.resolve(url) as RouteLocationNormalized
  beforeEach(() => {
    router = createRouter({
      history: createMemoryHistory(),
      routes: [{ path: '/category/:slug', name: 'category', component: ListingPage, props: { mode: 'listing' } }],
    })
  })

  it('is the very request the listing makes, so the listing asks nothing more', async () => {
    const to = at('/category/footwear?brand=Acme&sort=price_asc&in_stock=true&page=2')
    prefetchPageData(to, START_LOCATION)
    expect(paths()).toHaveLength(2) // the listing and the category tree
    await router.push(to)
    mount(ListingPage, { props: { mode: 'listing' }, global: { plugins: [router] } })
    await flushPromises()
    expect(paths().filter((p) => p.startsWith('/api/products'))).toEqual([
      '/api/products?brand=Acme&in_stock=true&sort=price_asc&page=2&category=footwear&limit=24',
    ])
  })

  it('is not asked again for another view of the same page', () => {
    prefetchPageData(at('/category/footwear?sort=newest'), at('/category/footwear'))
    expect(paths()).toEqual([])
  })
})
