import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { h } from 'vue'
import { RouterView, createMemoryHistory, createRouter, type Router } from 'vue-router'
import type { WishlistItem } from '../src/api/account'
import AccountPage from '../src/pages/AccountPage.vue'
import { SIGNED_IN_KEY, useAccountStore } from '../src/stores/account'
import { CART_TOKEN_KEY, useCartStore } from '../src/stores/cart'
import { type FakeApi, fakeApi, problem } from './fake-api'
import { cart, cartLine, customer, wishlistItem } from './fixtures'

let api: FakeApi
let router: Router
let wrapper: VueWrapper | null = null

beforeEach(() => {
  localStorage.clear()
  localStorage.setItem(SIGNED_IN_KEY, '1')
  localStorage.setItem(CART_TOKEN_KEY, 'mine')
  setActivePinia(createPinia())
  api = fakeApi({
    'GET /api/account': { body: { customer: customer(), cart_token: 'mine' } },
    'GET /api/carts/mine': { body: cart('mine') },
  })
  router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/account/wishlist', component: AccountPage, props: { section: 'wishlist' } },
      { path: '/:any(.*)*', component: { render: () => h('p', 'elsewhere') } },
    ],
  })
})
afterEach(() => {
  wrapper?.unmount()
  wrapper = null
  vi.unstubAllGlobals()
})

async function open(items: WishlistItem[]) {
  api.routes['GET /api/account/wishlist'] = { body: { items } }
  await router.push('/account/wishlist')
  wrapper = mount({ render: () => h(RouterView) }, { global: { plugins: [router] }, attachTo: document.body })
  await flushPromises()
  return wrapper
}

const card = (page: VueWrapper, index: number) => page.findAll('[data-testid="wishlist-item"]')[index]!

describe('the wishlist', () => {
  it('shows each product’s current price and availability, as the catalog could tell', async () => {
    const page = await open([
      wishlistItem('A', { name: 'Phone case', slug: 'phone-case' }),
      wishlistItem('B', { available: 3 }),
      wishlistItem('C', { available: 0 }),
      wishlistItem('D', { for_sale: false }),
      wishlistItem('E', { price: null, available: null }),
    ])
    const name = card(page, 0).get('[data-testid="wishlist-name"]')
    expect(name.text()).toBe('Phone case')
    expect(name.attributes('href')).toBe('/p/phone-case?sku=A')
    expect(page.findAll('[data-testid="wishlist-price"]').map((p) => p.text())).toEqual([
      '$19.99',
      '$19.99',
      '$19.99',
      '$19.99',
      'Price unavailable right now',
    ])
    expect(page.findAll('[data-testid="wishlist-stock"]').map((p) => p.text())).toEqual([
      'In stock',
      'Only 3 left',
      'Out of stock',
      'No longer sold',
      'Stock unknown right now',
    ])
    const moves = page.findAll<HTMLButtonElement>('[data-testid="move-to-cart"]').map((b) => b.element.disabled)
    expect(moves).toEqual([false, false, true, true, false])
    expect(useAccountStore().wishlist).toEqual(new Set(['A', 'B', 'C', 'D', 'E']))
  })

  it('moves a product to the cart: added there first, then taken off the wishlist', async () => {
    api.routes['POST /api/carts/mine/items'] = { body: cart('mine', [cartLine({ sku: 'A', quantity: 1 })]) }
    api.routes['DELETE /api/account/wishlist/A'] = { status: 204 }
    const page = await open([wishlistItem('A', { name: 'Phone case' }), wishlistItem('B')])

    await card(page, 0).get('[data-testid="move-to-cart"]').trigger('click')
    await flushPromises()
    const calls = api.calls()
    expect(calls.indexOf('POST /api/carts/mine/items')).toBeLessThan(calls.indexOf('DELETE /api/account/wishlist/A'))
    expect(api.bodyOf('POST /api/carts/mine/items')).toEqual({ sku: 'A', quantity: 1 })
    expect(useCartStore().count).toBe(1)
    expect(page.findAll('[data-testid="wishlist-item"]')).toHaveLength(1)
    expect(page.get('[data-testid="wishlist-status"]').text()).toContain('Phone case moved to your cart.')
    expect(useAccountStore().wishlist?.has('A')).toBe(false)
    // Focus goes to the card now in its place.
    expect(document.activeElement).toBe(card(page, 0).get('[data-testid="wishlist-name"]').element)
  })

  it('keeps a product the cart refused, with the cart’s reason', async () => {
    api.routes['POST /api/carts/mine/items'] = problem(409, { code: 'insufficient_stock', lines: [{ sku: 'A', requested: 1, available: 0 }] })
    const page = await open([wishlistItem('A')])

    await card(page, 0).get('[data-testid="move-to-cart"]').trigger('click')
    await flushPromises()
    expect(api.calls()).not.toContain('DELETE /api/account/wishlist/A')
    expect(page.findAll('[data-testid="wishlist-item"]')).toHaveLength(1)
    expect(card(page, 0).get('[data-testid="wishlist-problem"]').text()).toBe('Sorry, this product is out of stock.')
  })

  it('removes a product', async () => {
    api.routes['DELETE /api/account/wishlist/B'] = { status: 204 }
    const page = await open([wishlistItem('A'), wishlistItem('B', { name: 'Charger' })])
    await card(page, 1).get('[data-testid="remove-from-wishlist"]').trigger('click')
    await flushPromises()
    expect(page.findAll('[data-testid="wishlist-item"]')).toHaveLength(1)
    expect(page.get('[data-testid="wishlist-status"]').text()).toBe('Charger removed from your wishlist.')
    // The last card went: focus goes to the one before it.
    expect(document.activeElement).toBe(card(page, 0).get('[data-testid="wishlist-name"]').element)
    expect(api.calls().filter((call) => call.includes('/api/carts/mine/items'))).toEqual([])
  })
})
