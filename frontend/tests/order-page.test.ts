import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { h } from 'vue'
import { RouterView, createMemoryHistory, createRouter, type Router } from 'vue-router'
import OrderPage from '../src/pages/OrderPage.vue'
import { type FakeApi, fakeApi } from './fake-api'
import { discount, orderPage } from './fixtures'

let api: FakeApi
let router: Router
let wrapper: VueWrapper | null = null

beforeEach(() => {
  localStorage.clear()
  setActivePinia(createPinia())
  api = fakeApi()
  router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/orders/:number', component: OrderPage },
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

async function open(url: string) {
  await router.push(url)
  wrapper = mount({ render: () => h(RouterView) }, { global: { plugins: [router] }, attachTo: document.body })
  await flushPromises()
  return wrapper
}

const rows = (page: VueWrapper) =>
  page.findAll('.totals > div').map((row) => [row.get('dt').text(), row.get('dd').text()])

/** Subtotal 69.97 - discounts 8.00 + shipping 0 (free) + tax 4.96 = 66.93. */
const discounted = orderPage('SH-1', {
  lines: [
    { sku: 'CASE-1', name: 'Phone case', quantity: 2, unit_price: '19.99', line_total: '39.98', discount: '6.29' },
    { sku: 'CHG-1', name: 'Charger', quantity: 1, unit_price: '29.99', line_total: '29.99', discount: '1.71' },
  ],
  discount: '8.00',
  discounts: [
    discount('Welcome 10%', 'WELCOME10', '7.00'),
    discount('Spring sale', null, '1.00'),
    discount('Free shipping', null, '0.00', '4.99'),
  ],
  shipping: '0.00',
  tax: '4.96',
  total: '66.93',
})

describe('an order with promotions', () => {
  it('shows each discount and their sum, so that the totals add up on the page', async () => {
    api.routes['GET /api/orders/SH-1?token=lt'] = { body: discounted }
    const page = await open('/orders/SH-1?token=lt')

    expect(rows(page)).toEqual([
      ['Subtotal', '$69.97'],
      ['Discounts', '−$8.00'],
      ['Welcome 10% (WELCOME10)', '−$7.00'],
      ['Spring sale', '−$1.00'],
      ['Free shipping', 'Free shipping'],
      ['Shipping (standard)', 'Free'],
      ['Tax', '$4.96'],
      ['Total', '$66.93'],
    ])
    expect(page.findAll('[data-testid="discount-line"]')).toHaveLength(3)
    expect(page.get('[data-testid="order-discount-total"]').text()).toBe('−$8.00')
    expect(page.get('[data-testid="order-subtotal"]').text()).toBe('$69.97')
    expect(page.get('[data-testid="order-total"]').text()).toBe('$66.93')
    // Each line's share of the discounts, beside it.
    expect(page.get('.lines tbody tr').text()).toContain('−$6.29 with promotions')
  })

  it('shows the same on the account’s order page', async () => {
    api.routes['GET /api/account/orders/SH-1'] = { body: { ...discounted, shipping: '2.99', total: '69.92', discounts: [
      discount('Welcome 10%', 'WELCOME10', '8.00'),
      discount('Cheaper shipping', null, '0.00', '2.00'),
    ] } }
    const page = await open('/account/orders/SH-1')
    expect(page.findAll('[data-testid="discount-line"]').map((row) => `${row.get('dt').text()} ${row.get('dd').text()}`)).toEqual([
      'Welcome 10% (WELCOME10) −$8.00',
      'Cheaper shipping −$2.00 off shipping',
    ])
    expect(page.get('[data-testid="order-discount-total"]').text()).toBe('−$8.00')
    expect(page.get('[data-testid="order-shipping"]').text()).toBe('$2.99')
  })

  it('shows no discount rows for an order without promotions', async () => {
    api.routes['GET /api/orders/SH-2?token=lt'] = { body: orderPage('SH-2') }
    const page = await open('/orders/SH-2?token=lt')
    expect(page.findAll('[data-testid="discount-line"]')).toHaveLength(0)
    expect(page.find('[data-testid="order-discount-total"]').exists()).toBe(false)
    expect(rows(page).map(([label]) => label)).toEqual(['Subtotal', 'Shipping (standard)', 'Tax', 'Total'])
    expect(page.text()).not.toContain('with promotions')
  })
})
