import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter, type Router } from 'vue-router'
import * as catalog from '../src/api/catalog'
import * as checkout from '../src/api/checkout'
import type { ProductDetail } from '../src/api/types'
import ProductPage from '../src/pages/ProductPage.vue'
import { SIGNED_IN_KEY, useAccountStore } from '../src/stores/account'
import { CART_TOKEN_KEY } from '../src/stores/cart'
import { type FakeApi, fakeApi, problem } from './fake-api'
import { cart, customer, wishlistItem } from './fixtures'

vi.mock('../src/api/catalog')
vi.mock('../src/api/checkout')
const getProduct = vi.mocked(catalog.getProduct)
const getRelatedProducts = vi.mocked(catalog.getRelatedProducts)

function jacket(): ProductDetail {
  const variant = (sku: string, colour: string) => ({ sku, option_values: [colour], price: '120.00', available: 4, in_stock: true })
  return {
    sku: 'RJ',
    slug: 'rain-jacket',
    name: 'Rain Jacket',
    description: 'Rain Jacket by Acme.',
    brand: 'Acme',
    status: 'active',
    category_path: [],
    categories: [],
    price: '120.00',
    currency: 'USD',
    available: 8,
    in_stock: true,
    popularity: 1,
    image: null,
    created_at: '2030-01-01T00:00:00Z',
    updated_at: '2030-01-01T00:00:00Z',
    version: 1,
    images: [],
    option_names: ['colour'],
    variants: [variant('RJ-RED', 'Red'), variant('RJ-BLUE', 'Blue')],
  }
}

let api: FakeApi
let router: Router
let wrapper: VueWrapper | null = null

beforeEach(() => {
  vi.resetAllMocks()
  localStorage.clear()
  localStorage.setItem(CART_TOKEN_KEY, 't1')
  setActivePinia(createPinia())
  getProduct.mockResolvedValue(jacket())
  getRelatedProducts.mockResolvedValue([])
  vi.mocked(checkout.getCart).mockResolvedValue(cart('t1'))
  api = fakeApi()
  router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/p/:slug', component: ProductPage },
      { path: '/:any(.*)*', component: { template: '<div />' } },
    ],
  })
})
afterEach(() => {
  wrapper?.unmount()
  wrapper = null
  vi.unstubAllGlobals()
})

async function open(url: string) {
  await router.push(url)
  wrapper = mount(ProductPage, { global: { plugins: [router] }, attachTo: document.body })
  await flushPromises()
  return wrapper
}

function signedInHere(saved: string[]): void {
  localStorage.setItem(SIGNED_IN_KEY, '1')
  api.routes['GET /api/account'] = { body: { customer: customer(), cart_token: 't1' } }
  api.routes['GET /api/account/wishlist'] = { body: { items: saved.map((sku) => wishlistItem(sku)) } }
}

describe('"Save to wishlist" on a product page', () => {
  it('is a link to sign in (and back to this variant) for a guest, who asks the accounts service nothing', async () => {
    const page = await open('/p/rain-jacket?sku=RJ-BLUE')
    const link = page.get('[data-testid="wishlist-sign-in"]')
    expect(link.element.tagName).toBe('A')
    const href = new URL(link.attributes('href')!, 'https://shop.example')
    expect(href.pathname).toBe('/account/sign-in')
    expect(href.searchParams.get('next')).toBe('/p/rain-jacket?sku=RJ-BLUE')
    expect(link.text()).toContain('Save to wishlist')
    expect(page.find('[data-testid="wishlist-button"]').exists()).toBe(false)
    expect(api.calls()).toEqual([])
  })

  it('signed in: a toggle that knows the saved state, and saves the chosen variant', async () => {
    signedInHere(['RJ-BLUE'])
    api.routes['PUT /api/account/wishlist/RJ-RED'] = { status: 204 }
    const page = await open('/p/rain-jacket')
    expect(api.calls()).toEqual(['GET /api/account', 'GET /api/account/wishlist'])

    const button = page.get('[data-testid="wishlist-button"]')
    expect(button.element.tagName).toBe('BUTTON')
    expect(button.attributes('aria-pressed')).toBe('false')
    await button.trigger('click')
    await flushPromises()
    expect(api.calls()).toContain('PUT /api/account/wishlist/RJ-RED')
    expect(api.bodyOf('PUT /api/account/wishlist/RJ-RED')).toBeUndefined()
    expect(button.attributes('aria-pressed')).toBe('true')
    expect(button.text()).toBe('Save to wishlist')
    expect(page.get('[data-testid="wishlist-status"]').text()).toBe('Saved to your wishlist.')

    // The other variant was saved before; the list is not asked for again.
    await router.replace('/p/rain-jacket?sku=RJ-BLUE')
    await flushPromises()
    expect(page.get('[data-testid="wishlist-button"]').attributes('aria-pressed')).toBe('true')
    expect(page.get('[data-testid="wishlist-status"]').text()).toBe('')
    expect(api.calls().filter((call) => call === 'GET /api/account/wishlist')).toHaveLength(1)
  })

  it('takes a saved product off the wishlist', async () => {
    signedInHere(['RJ-RED'])
    api.routes['DELETE /api/account/wishlist/RJ-RED'] = { status: 204 }
    const page = await open('/p/rain-jacket')
    const button = page.get('[data-testid="wishlist-button"]')
    expect(button.attributes('aria-pressed')).toBe('true')
    await button.trigger('click')
    await flushPromises()
    expect(api.calls()).toContain('DELETE /api/account/wishlist/RJ-RED')
    expect(button.attributes('aria-pressed')).toBe('false')
    expect(useAccountStore().wishlist?.has('RJ-RED')).toBe(false)
  })

  it('says when the wishlist is full, and stays unpressed', async () => {
    signedInHere([])
    api.routes['PUT /api/account/wishlist/RJ-RED'] = problem(409, { code: 'wishlist_full' })
    const page = await open('/p/rain-jacket')
    await page.get('[data-testid="wishlist-button"]').trigger('click')
    await flushPromises()
    expect(page.get('[data-testid="wishlist-error"]').text()).toContain('Your wishlist is full (100 products).')
    expect(page.get('[data-testid="wishlist-button"]').attributes('aria-pressed')).toBe('false')
  })

  it('asks for the wishlist again on a click when it could not be read with the page', async () => {
    signedInHere([])
    api.routes['GET /api/account/wishlist'] = problem(503)
    const page = await open('/p/rain-jacket')
    api.routes['GET /api/account/wishlist'] = { body: { items: [wishlistItem('RJ-RED')] } }
    api.routes['PUT /api/account/wishlist/RJ-RED'] = { status: 204 }
    const button = page.get('[data-testid="wishlist-button"]')
    expect(button.attributes('aria-pressed')).toBe('false')
    await button.trigger('click')
    await flushPromises()
    // The shopper pressed an unpressed "Save": it is saved (again, which changes nothing), never taken off.
    expect(api.calls().filter((call) => call === 'GET /api/account/wishlist')).toHaveLength(2)
    expect(api.calls()).toContain('PUT /api/account/wishlist/RJ-RED')
    expect(api.calls()).not.toContain('DELETE /api/account/wishlist/RJ-RED')
    expect(button.attributes('aria-pressed')).toBe('true')
  })

  it('sends a shopper whose session ended to sign in, and back here', async () => {
    signedInHere([])
    api.routes['PUT /api/account/wishlist/RJ-RED'] = problem(401, { code: 'signed_out' })
    const page = await open('/p/rain-jacket')
    await page.get('[data-testid="wishlist-button"]').trigger('click')
    await flushPromises()
    expect(router.currentRoute.value.path).toBe('/account/sign-in')
    expect(router.currentRoute.value.query.next).toBe('/p/rain-jacket')
    expect(useAccountStore().signedIn).toBe(false)
  })
})
