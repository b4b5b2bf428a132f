import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { h } from 'vue'
import { RouterView, createMemoryHistory, createRouter, type Router } from 'vue-router'
import AccountPage from '../src/pages/AccountPage.vue'
import OrderPage from '../src/pages/OrderPage.vue'
import { SIGNED_IN_KEY, useAccountStore } from '../src/stores/account'
import { CART_TOKEN_KEY, useCartStore } from '../src/stores/cart'
import { type FakeApi, fakeApi, problem } from './fake-api'
import { cart, cartLine, customer, orderPage, orderSummary } from './fixtures'

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
      { path: '/account', component: AccountPage, props: { section: 'settings' } },
      { path: '/account/orders', component: AccountPage, props: { section: 'orders' } },
      { path: '/account/addresses', component: AccountPage, props: { section: 'addresses' } },
      { path: '/account/orders/:number', component: OrderPage, props: { mode: 'account' } },
      { path: '/:any(.*)*', component: { template: '<p>elsewhere</p>' } },
    ],
  })
})
afterEach(() => {
  wrapper?.unmount()
  wrapper = null
  vi.unstubAllGlobals()
})

/** The page as the app shows it: through the router, which gives it its route's props. */
async function open(url: string) {
  await router.push(url)
  wrapper = mount({ render: () => h(RouterView) }, { global: { plugins: [router] }, attachTo: document.body })
  await flushPromises()
  return wrapper
}

describe('the account’s sections', () => {
  it('opens the section its address names, and marks it in the navigation', async () => {
    api.routes['GET /api/account/orders'] = { body: { orders: [], next: null, claimable: 0 } }
    const page = await open('/account/orders')
    expect(page.get('[data-testid="account-nav-orders"]').attributes('aria-current')).toBe('page')
    expect(page.get('[data-testid="account-nav-settings"]').attributes('aria-current')).toBeUndefined()
    expect(page.get('[data-testid="no-orders"]').text()).toContain('No orders here yet')
    expect(document.title).toBe('Your orders · Shop')
  })

  it('sends a signed-out visitor to sign in, and back to the same section', async () => {
    api.routes['GET /api/account'] = problem(401, { code: 'signed_out' })
    await open('/account/orders')
    expect(router.currentRoute.value.fullPath).toBe('/account/sign-in?next=/account/orders')
    expect(api.calls()).not.toContain('GET /api/account/orders')
  })

  it('moves focus to the heading of the section chosen from the navigation', async () => {
    api.routes['GET /api/account/addresses'] = { body: { addresses: [] } }
    const page = await open('/account')
    await page.get('[data-testid="account-nav-addresses"]').trigger('click')
    await flushPromises()
    expect(router.currentRoute.value.path).toBe('/account/addresses')
    expect(document.activeElement?.id).toBe('addresses-heading')
    // The same page: the session was asked about once.
    expect(api.calls().filter((call) => call === 'GET /api/account')).toHaveLength(1)
  })
})

describe('the list of orders', () => {
  it('shows each order with its date, status, total, item count and first products, and loads more', async () => {
    api.routes['GET /api/account/orders'] = {
      body: {
        orders: [
          orderSummary('SH-2', {
            lines: [
              { sku: 'A', name: 'Phone case', quantity: 1 },
              { sku: 'B', name: 'Charger', quantity: 1 },
              { sku: 'C', name: 'Cable', quantity: 1 },
              { sku: 'D', name: 'Stand', quantity: 1 },
            ],
            item_count: 4,
          }),
        ],
        next: 'cursor-1',
        claimable: 0,
      },
    }
    api.routes['GET /api/account/orders?before=cursor-1'] = {
      body: { orders: [orderSummary('SH-1', { status: 'delivered', total: '12.5' })], next: null, claimable: 0 },
    }
    const page = await open('/account/orders')

    const first = page.get('[data-testid="order-summary"]')
    expect(first.get('[data-testid="order-link"]').attributes('href')).toBe('/account/orders/SH-2')
    expect(first.get('[data-testid="order-status"]').text()).toBe('Paid')
    expect(first.get('time').attributes('datetime')).toBe('2030-03-01T10:00:00Z')
    expect(first.text()).toContain('4 items')
    expect(first.text()).toContain('$104.97')
    expect(first.get('.order-summary__lines').text()).toBe('Phone case, Charger and 2 more')

    await page.get('[data-testid="load-more"]').trigger('click')
    await flushPromises()
    const orders = page.findAll('[data-testid="order-summary"]')
    expect(orders).toHaveLength(2)
    expect(orders[1]!.get('[data-testid="order-status"]').text()).toBe('Delivered')
    expect(orders[1]!.text()).toContain('$12.50')
    // The last page: no more button, and focus went on to the first order that came in.
    expect(page.find('[data-testid="load-more"]').exists()).toBe(false)
    expect(document.activeElement).toBe(orders[1]!.get('[data-testid="order-link"]').element)
    expect(page.get('[data-testid="orders-status"]').text()).toBe('Showing 2 orders.')
  })

  it('offers the orders placed as a guest, adds them, and reads the list again', async () => {
    let claimed = false
    api.routes['GET /api/account/orders'] = () => ({
      body: claimed
        ? { orders: [orderSummary('SH-2'), orderSummary('SH-1')], next: null, claimable: 0 }
        : { orders: [orderSummary('SH-2')], next: null, claimable: 1 },
    })
    api.routes['POST /api/account/orders/claim'] = () => {
      claimed = true
      return { body: { claimed: 1 } }
    }
    const page = await open('/account/orders')
    const notice = page.get('[data-testid="claim-notice"]')
    expect(notice.text()).toContain('1 earlier order was placed as a guest with this address.')
    expect(notice.get('button').text()).toBe('Add it to your account')

    await notice.get('button').trigger('click')
    await flushPromises()
    expect(api.bodyOf('POST /api/account/orders/claim')).toEqual({})
    expect(page.find('[data-testid="claim-notice"]').exists()).toBe(false)
    expect(page.findAll('[data-testid="order-summary"]')).toHaveLength(2)
    expect(page.get('[data-testid="orders-status"]').text()).toBe('1 order was added to your account.')
    expect(document.activeElement?.id).toBe('orders-heading')
  })

  it('says "N earlier orders" for more than one', async () => {
    api.routes['GET /api/account/orders'] = { body: { orders: [], next: null, claimable: 3 } }
    const page = await open('/account/orders')
    expect(page.get('[data-testid="claim-notice"]').text()).toContain(
      '3 earlier orders were placed as a guest with this address.',
    )
    expect(page.get('[data-testid="claim"]').text()).toBe('Add them to your account')
  })

  it('buys an order again: the cart the answer names is this browser’s now, and what was skipped says why', async () => {
    api.routes['GET /api/account/orders'] = { body: { orders: [orderSummary('SH-2')], next: null, claimable: 0 } }
    api.routes['POST /api/account/orders/SH-2/reorder'] = {
      body: {
        cart: { token: 'theirs', notes: [] },
        added: [{ sku: 'CASE-1', quantity: 2 }],
        skipped: [{ sku: 'CHG-1', name: 'Charger', reason: 'not_for_sale' }],
      },
    }
    api.routes['GET /api/carts/theirs'] = { body: cart('theirs', [cartLine({ sku: 'CASE-1', quantity: 2 })]) }
    const page = await open('/account/orders')

    await page.get('[data-testid="reorder"]').trigger('click')
    await flushPromises()
    expect(api.bodyOf('POST /api/account/orders/SH-2/reorder')).toEqual({})
    expect(useCartStore().token).toBe('theirs')
    expect(localStorage.getItem(CART_TOKEN_KEY)).toBe('theirs')
    expect(useCartStore().count).toBe(2)

    const result = page.get('[data-testid="reorder-result"]')
    expect(result.text()).toContain('2 × Phone case')
    expect(result.get('[data-testid="reorder-skipped"]').text()).toBe('Charger: no longer sold.')
    expect(result.get('[data-testid="go-to-cart"]').attributes('href')).toBe('/cart')
    expect(document.activeElement).toBe(result.element)
  })

  it('sends the shopper to sign in when the session ended meanwhile', async () => {
    api.routes['GET /api/account/orders'] = { body: { orders: [orderSummary('SH-2')], next: null, claimable: 0 } }
    api.routes['POST /api/account/orders/SH-2/reorder'] = problem(401, { code: 'signed_out' })
    const page = await open('/account/orders')
    await page.get('[data-testid="reorder"]').trigger('click')
    await flushPromises()
    expect(router.currentRoute.value.fullPath).toBe('/account/sign-in?next=/account/orders')
    expect(useAccountStore().signedIn).toBe(false)
    expect(useCartStore().token).toBeNull()
  })
})

describe('an order of the account', () => {
  it('is read through the session and shows the same page and timeline, with "Buy again" instead of the link', async () => {
    api.routes['GET /api/account/orders/SH-2'] = { body: orderPage('SH-2') }
    const page = await open('/account/orders/SH-2')
    expect(api.calls()).toContain('GET /api/account/orders/SH-2')
    expect(api.calls().some((call) => call.startsWith('GET /api/orders/'))).toBe(false)
    expect(page.get('[data-testid="order-number"]').text()).toBe('SH-2')
    expect(page.get('[data-testid="order-state"]').text()).toBe('Shipped')
    expect(page.get('[data-testid="order-timeline"]').findAll('li')).toHaveLength(3)
    expect(page.get('[data-testid="tracking-link"]').text()).toBe('1Z999')
    expect(page.find('[data-testid="order-link"]').exists()).toBe(false)
    expect(page.get('[data-testid="reorder"]').text()).toContain('Buy again')
  })

  it('buys it again from its page', async () => {
    api.routes['GET /api/account/orders/SH-2'] = { body: orderPage('SH-2') }
    api.routes['POST /api/account/orders/SH-2/reorder'] = {
      body: {
        cart: { token: 'mine', notes: [] },
        added: [],
        skipped: [
          { sku: 'CASE-1', name: 'Phone case', reason: 'unavailable' },
          { sku: 'CHG-1', name: 'Charger', reason: 'line_limit' },
        ],
      },
    }
    const page = await open('/account/orders/SH-2')
    await page.get('[data-testid="reorder"]').trigger('click')
    await flushPromises()
    const result = page.get('[data-testid="reorder-result"]')
    expect(result.text()).toContain('Nothing from this order could go into your cart.')
    expect(result.findAll('[data-testid="reorder-skipped"] li').map((li) => li.text())).toEqual([
      'Phone case: out of stock right now.',
      'Charger: your cart holds as many different products as it can.',
    ])
  })

  it('says so when the order is not this customer’s', async () => {
    api.routes['GET /api/account/orders/SH-9'] = problem(404)
    const page = await open('/account/orders/SH-9')
    expect(page.get('[role="alert"]').text()).toContain('It isn’t one of your account’s orders.')
    expect(page.get('a').attributes('href')).toBe('/account/orders')
  })

  it('sends a shopper whose session ended to sign in, and back to the order', async () => {
    api.routes['GET /api/account/orders/SH-2'] = problem(401, { code: 'signed_out' })
    await open('/account/orders/SH-2')
    expect(router.currentRoute.value.fullPath).toBe('/account/sign-in?next=/account/orders/SH-2')
  })
})
