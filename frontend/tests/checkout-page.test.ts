import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter, type Router } from 'vue-router'
import * as api from '../src/api/checkout'
import { ApiError } from '../src/api/http'
import { checkoutDraft, resetCheckoutDraft } from '../src/lib/checkout-draft'
import CheckoutPage from '../src/pages/CheckoutPage.vue'
import { useAccountStore } from '../src/stores/account'
import { CART_TOKEN_KEY, useCartStore } from '../src/stores/cart'
import { type FakeApi, fakeApi, problem } from './fake-api'
import { cart, cartLine, cartTotals, customer, discount, savedAddress } from './fixtures'

vi.mock('../src/api/checkout')
const mocked = vi.mocked(api)

let router: Router

async function mountPage() {
  const wrapper = mount(CheckoutPage, { global: { plugins: [router] }, attachTo: document.body })
  await flushPromises()
  return wrapper
}

async function fill(wrapper: Awaited<ReturnType<typeof mountPage>>) {
  await wrapper.get('#email').setValue('ada@example.com')
  await wrapper.get('#customer_name').setValue('Ada Lovelace')
  await wrapper.get('#line1').setValue('1 Main St')
  await wrapper.get('#city').setValue('Springfield')
  await wrapper.get('#postal_code').setValue('12345')
}

beforeEach(async () => {
  vi.resetAllMocks()
  resetCheckoutDraft()
  localStorage.clear()
  localStorage.setItem(CART_TOKEN_KEY, 't1')
  setActivePinia(createPinia())
  mocked.getCart.mockResolvedValue(cart('t1', [cartLine({ quantity: 2, line_total: '99.98' })], { subtotal: '99.98' }))
  router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/checkout', component: CheckoutPage },
      { path: '/cart', component: { template: '<p>cart</p>' } },
      { path: '/products', component: { template: '<p>products</p>' } },
      { path: '/orders/:number', name: 'order', component: { template: '<p>order</p>' } },
    ],
  })
  await router.push('/checkout')
})

describe('checkout form', () => {
  it('shows every problem next to its field, focuses the first, and sends nothing', async () => {
    const wrapper = await mountPage()
    await wrapper.get('#email').setValue('not-an-email')
    await wrapper.get('form').trigger('submit')
    await flushPromises()

    expect(mocked.placeOrder).not.toHaveBeenCalled()
    const email = wrapper.get('#email')
    expect(email.attributes('aria-invalid')).toBe('true')
    expect(wrapper.get(`#${email.attributes('aria-describedby')!.split(' ').pop()}`).text()).toBe('Not a valid email address.')
    expect(wrapper.get('#customer_name-error').text()).toBe('Full name is required.')
    expect(wrapper.get('#postal_code-error').text()).toBe('Postal code is required.')
    expect(wrapper.find('#line2-error').exists()).toBe(false)
    expect(document.activeElement).toBe(email.element)
    wrapper.unmount()
  })

  it('clears a field’s error as soon as it is fixed', async () => {
    const wrapper = await mountPage()
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(wrapper.find('#city-error').exists()).toBe(true)
    await wrapper.get('#city').setValue('Springfield')
    expect(wrapper.find('#city-error').exists()).toBe(false)
    wrapper.unmount()
  })

  it('puts server field errors next to their fields', async () => {
    mocked.placeOrder.mockRejectedValue(
      new ApiError(400, { errors: [{ field: 'shipping_address.postal_code', reason: 'at most 20 characters' }] }),
    )
    const wrapper = await mountPage()
    await fill(wrapper)
    await wrapper.get('form').trigger('submit')
    await flushPromises()

    expect(wrapper.get('#postal_code-error').text()).toBe('At most 20 characters.')
    expect(wrapper.get('[data-testid="form-error"]').text()).toContain('Please correct the fields marked below.')
    wrapper.unmount()
  })

  it('keeps what was typed when the shopper comes back to the form', async () => {
    const first = await mountPage()
    await fill(first)
    first.unmount()
    const again = await mountPage()
    expect((again.get('#city').element as HTMLInputElement).value).toBe('Springfield')
    expect(checkoutDraft.email).toBe('ada@example.com')
    again.unmount()
  })

  it('sends one Idempotency-Key for a double click', async () => {
    let answer!: (value: never) => void
    mocked.placeOrder.mockReturnValue(new Promise((resolve) => (answer = resolve)))
    const wrapper = await mountPage()
    await fill(wrapper)
    await wrapper.get('form').trigger('submit')
    await wrapper.get('form').trigger('submit')
    expect(mocked.placeOrder).toHaveBeenCalledTimes(1)
    expect(wrapper.get('[data-testid="place-order"]').attributes('aria-disabled')).toBe('true')
    answer({ number: 'SH-1', lookup_token: 'lt' } as never)
    await flushPromises()
    expect(router.currentRoute.value.fullPath).toBe('/orders/SH-1?token=lt')
    expect(useCartStore().token).toBeNull()
    wrapper.unmount()
  })

  it('shows a declined card next to the card field', async () => {
    mocked.placeOrder.mockRejectedValue(new ApiError(402, { code: 'card_declined', field: 'card_token', order_number: 'SH-9' }))
    const wrapper = await mountPage()
    await fill(wrapper)
    await wrapper.get('#card_token').setValue('tok_declined')
    await wrapper.get('form').trigger('submit')
    await flushPromises()

    expect(wrapper.get('[data-testid="card-error"]').text()).toBe('Card was declined. Nothing was charged; choose another card.')
    expect(router.currentRoute.value.path).toBe('/checkout')
    wrapper.unmount()
  })

  it('sends the shopper back to the cart with the reason when a price changed', async () => {
    const lines = [{ sku: 'BB-AAAA', name: 'Phone', old_price: '49.99', new_price: '59.99' }]
    mocked.placeOrder.mockRejectedValue(new ApiError(409, { code: 'price_changed', lines }))
    const wrapper = await mountPage()
    await fill(wrapper)
    await wrapper.get('form').trigger('submit')
    await flushPromises()

    expect(router.currentRoute.value.path).toBe('/cart')
    expect(useCartStore().checkoutNotice).toEqual({ code: 'price_changed', lines })
    wrapper.unmount()
  })

  it('offers a retry with the same key after an outage', async () => {
    mocked.placeOrder
      .mockRejectedValueOnce(new ApiError(503, { detail: 'provider down' }, 1))
      .mockResolvedValueOnce({ number: 'SH-2', lookup_token: 'lt' } as never)
    const wrapper = await mountPage()
    await fill(wrapper)
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(wrapper.get('[data-testid="form-error"]').text()).toContain('Nothing was charged')

    // "Try again" is the form's submit button: the same body goes out again.
    await wrapper.get('[data-testid="form-error"] button').trigger('click')
    await flushPromises()
    const keys = mocked.placeOrder.mock.calls.map((call) => call[1])
    expect(keys).toHaveLength(2)
    expect(keys[0]).toBe(keys[1])
    wrapper.unmount()
  })

  it('says when another tab is paying for the cart, and lets the shopper try again', async () => {
    mocked.placeOrder.mockRejectedValue(new ApiError(409, { code: 'checkout_in_progress' }, 30))
    const wrapper = await mountPage()
    await fill(wrapper)
    await wrapper.get('form').trigger('submit')
    await flushPromises()

    const message = wrapper.get('[data-testid="form-error"]').text()
    expect(message).toContain('another tab')
    expect(message).toContain('nothing was charged')
    expect(wrapper.find('[data-testid="form-error"] button').exists()).toBe(true)
    expect(router.currentRoute.value.path).toBe('/checkout')
    expect(useCartStore().token).toBe('t1')
    wrapper.unmount()
  })

  it('says how long to wait when the cart has used up its payment attempts', async () => {
    mocked.placeOrder.mockRejectedValue(new ApiError(429, { code: 'too_many_attempts' }, 1700))
    const wrapper = await mountPage()
    await fill(wrapper)
    await wrapper.get('form').trigger('submit')
    await flushPromises()

    expect(wrapper.get('[data-testid="form-error"]').text()).toContain('try again in 29 minutes')
    wrapper.unmount()
  })
})

describe('totals before paying', () => {
  const totals = (method: 'standard' | 'express') =>
    cartTotals({
      shipping_method: method,
      shipping: method === 'standard' ? '4.99' : '14.99',
      total: method === 'standard' ? '112.97' : '122.97',
    })

  it('shows the tax and total the server computes for the chosen method, and asks again when it changes', async () => {
    mocked.getCartTotals.mockImplementation(async (_token, method) => totals(method))
    const wrapper = await mountPage()
    expect(mocked.getCartTotals).toHaveBeenLastCalledWith('t1', 'standard')
    expect(wrapper.get('[data-testid="tax"]').text()).toBe('$8.00')
    expect(wrapper.get('[data-testid="total"]').text()).toBe('$112.97')

    await wrapper.get('input[name="shipping_method"][value="express"]').setValue(true)
    await flushPromises()
    expect(mocked.getCartTotals).toHaveBeenLastCalledWith('t1', 'express')
    expect(wrapper.get('[data-testid="total"]').text()).toBe('$122.97')
  })

  it('says when the totals could not be computed instead of showing a wrong number', async () => {
    mocked.getCartTotals.mockRejectedValue(new ApiError(503, { title: 'Unavailable' }))
    const wrapper = await mountPage()
    expect(wrapper.find('[data-testid="total"]').exists()).toBe(false)
    expect(wrapper.get('[data-testid="order-totals"]').text()).toContain('calculated when you place the order')
  })
})

describe('promotions at checkout', () => {
  const line = cartLine({ quantity: 2, line_total: '99.98' })
  const coupon = { code: 'WELCOME10', applies: true, reason: null }
  const discounted = cartTotals({
    coupon,
    discount: '10.00',
    discounts: [discount('Welcome 10%', 'WELCOME10', '10.00'), discount('Free shipping', null, '0.00', '4.99')],
    shipping: '0.00',
    tax: '7.20',
    total: '97.18',
  })
  const rows = (wrapper: Awaited<ReturnType<typeof mountPage>>) =>
    wrapper.findAll('[data-testid="discount-line"]').map((row) => `${row.get('dt').text()} ${row.get('dd').text()}`)

  beforeEach(() => {
    mocked.getCart.mockResolvedValue(
      cart('t1', [line], { subtotal: '99.98', coupon, discount: '10.00', discounts: [discount('Welcome 10%', 'WELCOME10', '10.00')] }),
    )
  })

  it('lists the subtotal, each discount, free shipping struck through, tax and total', async () => {
    mocked.getCartTotals.mockResolvedValue(discounted)
    const wrapper = await mountPage()
    const labels = wrapper.findAll('[data-testid="order-totals"] dt').map((dt) => dt.text())
    expect(labels).toEqual(['Subtotal', 'Welcome 10% (WELCOME10)', 'Free shipping', 'Shipping (standard)', 'Tax', 'Total'])
    expect(rows(wrapper)).toEqual(['Welcome 10% (WELCOME10) −$10.00', 'Free shipping Free shipping'])
    const shipping = wrapper.get('[data-testid="shipping"]')
    expect(shipping.get('s').text()).toBe('was $4.99')
    expect(shipping.text()).toContain('Free')
    expect(wrapper.get('[data-testid="total"]').text()).toBe('$97.18')
    expect(wrapper.get('[data-testid="coupon-applied"]').text()).toBe('WELCOME10')
    wrapper.unmount()
  })

  it('places the order with the total shown as expected_total', async () => {
    mocked.getCartTotals.mockResolvedValue(discounted)
    mocked.placeOrder.mockResolvedValue({ number: 'SH-1', lookup_token: 'lt' } as never)
    const wrapper = await mountPage()
    await fill(wrapper)
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(mocked.placeOrder.mock.calls[0]![0].expected_total).toBe('97.18')
    wrapper.unmount()
  })

  it('sends no expected_total when no total is shown', async () => {
    mocked.getCartTotals.mockRejectedValue(new ApiError(503, { title: 'Unavailable' }))
    mocked.placeOrder.mockResolvedValue({ number: 'SH-1', lookup_token: 'lt' } as never)
    const wrapper = await mountPage()
    await fill(wrapper)
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(mocked.placeOrder.mock.calls[0]![0]).not.toHaveProperty('expected_total')
    wrapper.unmount()
  })

  it('shows the new total when it changed, and the next attempt confirms that one', async () => {
    const changed = cartTotals({ ...discounted, discounts: [discount('Welcome 10%', 'WELCOME10', '10.00')], shipping: '4.99', total: '102.17' })
    let now = discounted
    mocked.getCartTotals.mockImplementation(async () => now)
    mocked.placeOrder
      .mockImplementationOnce(async () => {
        now = changed // a promotion ended meanwhile
        throw new ApiError(409, { code: 'total_changed', total: '102.17' })
      })
      .mockResolvedValueOnce({ number: 'SH-1', lookup_token: 'lt' } as never)
    const wrapper = await mountPage()
    await fill(wrapper)
    await wrapper.get('form').trigger('submit')
    await flushPromises()

    expect(wrapper.get('[data-testid="form-error"]').text()).toContain(
      'The total changed to $102.17 — please check and place your order again',
    )
    expect(wrapper.get('[data-testid="total"]').text()).toBe('$102.17')
    expect(wrapper.get('[data-testid="shipping"]').text()).toBe('$4.99')
    expect(router.currentRoute.value.path).toBe('/checkout')

    await wrapper.get('form').trigger('submit')
    await flushPromises()
    const [first, second] = mocked.placeOrder.mock.calls
    expect(first![0].expected_total).toBe('97.18')
    expect(second![0].expected_total).toBe('102.17')
    // Another body: a new attempt, not a replay of the refusal.
    expect(second![1]).not.toBe(first![1])
    expect(router.currentRoute.value.fullPath).toBe('/orders/SH-1?token=lt')
    wrapper.unmount()
  })

  it('shows why the code was refused at the code field, and offers removing it', async () => {
    mocked.getCartTotals.mockResolvedValue(discounted)
    mocked.placeOrder.mockRejectedValue(
      new ApiError(422, { code: 'coupon_refused', errors: [{ field: 'code', reason: 'this code has expired' }] }),
    )
    const wrapper = await mountPage()
    mocked.getCart.mockResolvedValue(
      cart('t1', [line], { subtotal: '99.98', coupon: { code: 'WELCOME10', applies: false, reason: 'this code has expired' } }),
    )
    mocked.getCartTotals.mockClear()
    await fill(wrapper)
    await wrapper.get('form').trigger('submit')
    await flushPromises()

    expect(wrapper.get('[data-testid="coupon-error"]').text()).toBe('This code has expired.')
    expect(wrapper.get('[data-testid="form-error"]').text()).toContain('Nothing was charged')
    const remove = wrapper.get('[data-testid="coupon-remove"]')
    expect(document.activeElement).toBe(remove.element)
    expect(remove.attributes('aria-describedby')).toBe('coupon-error')
    expect(mocked.getCartTotals).toHaveBeenCalled()

    mocked.removeCoupon.mockResolvedValue(cart('t1', [line], { subtotal: '99.98' }))
    await remove.trigger('click')
    await flushPromises()
    expect(mocked.removeCoupon).toHaveBeenCalledWith('t1')
    expect(wrapper.find('[data-testid="coupon-error"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="coupon-input"]').exists()).toBe(true)
    wrapper.unmount()
  })

  it('reads the cart again when a promotion was used up meanwhile, and shows its reason at the code', async () => {
    mocked.getCartTotals.mockResolvedValue(discounted)
    mocked.placeOrder.mockRejectedValue(new ApiError(409, { code: 'promotion_used_up' }))
    const wrapper = await mountPage()
    mocked.getCart.mockResolvedValue(
      cart('t1', [line], { subtotal: '99.98', coupon: { code: 'WELCOME10', applies: false, reason: 'this code has been used up' } }),
    )
    const reads = mocked.getCart.mock.calls.length
    await fill(wrapper)
    await wrapper.get('form').trigger('submit')
    await flushPromises()

    expect(mocked.getCart.mock.calls.length).toBeGreaterThan(reads)
    expect(wrapper.get('[data-testid="coupon-error"]').text()).toBe('This code has been used up.')
    expect(wrapper.get('[data-testid="form-error"]').text()).toContain('Nothing was charged')
    wrapper.unmount()
  })

  it('asks for the totals again once a code is put on the cart here', async () => {
    mocked.getCart.mockResolvedValue(cart('t1', [line], { subtotal: '99.98' }))
    mocked.getCartTotals.mockImplementation(async () => (mocked.applyCoupon.mock.calls.length ? discounted : cartTotals()))
    mocked.applyCoupon.mockResolvedValue(
      cart('t1', [line], { subtotal: '99.98', coupon, discount: '10.00', discounts: [discount('Welcome 10%', 'WELCOME10', '10.00')] }),
    )
    const wrapper = await mountPage()
    expect(wrapper.get('[data-testid="total"]').text()).toBe('$112.97')
    mocked.getCartTotals.mockClear()
    await wrapper.get('[data-testid="coupon-input"]').setValue('welcome10')
    await wrapper.get('[data-testid="coupon-apply"]').trigger('click')
    await flushPromises()

    expect(mocked.applyCoupon).toHaveBeenCalledWith('t1', 'welcome10')
    expect(mocked.getCartTotals).toHaveBeenCalledWith('t1', 'standard')
    expect(wrapper.get('[data-testid="total"]').text()).toBe('$97.18')
    expect(rows(wrapper)[0]).toBe('Welcome 10% (WELCOME10) −$10.00')
    wrapper.unmount()
  })
})

describe('a signed-in shopper at checkout', () => {
  // Checkout's own calls are mocked above; the accounts service's go through this stand-in for fetch.
  let accounts: FakeApi
  beforeEach(() => {
    accounts = fakeApi({ 'GET /api/account/addresses': { body: { addresses: [] } } })
  })
  afterEach(() => {
    vi.unstubAllGlobals()
  })

  const value = (wrapper: Awaited<ReturnType<typeof mountPage>>, id: string) =>
    (wrapper.get(`#${id}`).element as HTMLInputElement | HTMLSelectElement).value

  it('finds their email filled in, and what they typed is never replaced', async () => {
    useAccountStore().customer = customer({ email: 'ann@example.com' })
    const wrapper = await mountPage()
    expect((wrapper.get('#email').element as HTMLInputElement).value).toBe('ann@example.com')
    expect((wrapper.get('#customer_name').element as HTMLInputElement).value).toBe('')
    wrapper.unmount()

    resetCheckoutDraft()
    checkoutDraft.email = 'gift@example.com'
    const again = await mountPage()
    expect((again.get('#email').element as HTMLInputElement).value).toBe('gift@example.com')
    again.unmount()
  })

  it('changes nothing for a guest', async () => {
    const wrapper = await mountPage()
    expect((wrapper.get('#email').element as HTMLInputElement).value).toBe('')
    expect(wrapper.find('[data-testid="saved-addresses"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="save-address"]').exists()).toBe(false)
    expect(accounts.calls()).toEqual([])
    wrapper.unmount()
  })

  it('fills an empty form with the default saved address, and another with one choice', async () => {
    accounts.routes['GET /api/account/addresses'] = {
      body: {
        addresses: [
          savedAddress(2, { is_default: true, name: 'Ann Lee', line1: '2 Oak Ave', line2: 'Apt 4', region: null, country: 'CA', postal_code: 'K1A 0B1', city: 'Ottawa' }),
          savedAddress(1, { name: 'Ann at work', line1: '1 Main St' }),
        ],
      },
    }
    useAccountStore().customer = customer()
    const wrapper = await mountPage()
    expect(accounts.calls()).toEqual(['GET /api/account/addresses'])
    expect(value(wrapper, 'customer_name')).toBe('Ann Lee')
    expect(value(wrapper, 'line1')).toBe('2 Oak Ave')
    expect(value(wrapper, 'line2')).toBe('Apt 4')
    expect(value(wrapper, 'city')).toBe('Ottawa')
    expect(value(wrapper, 'region')).toBe('')
    expect(value(wrapper, 'postal_code')).toBe('K1A 0B1')
    expect(value(wrapper, 'country')).toBe('CA')
    expect(value(wrapper, 'saved_address')).toBe('2')
    expect(wrapper.findAll('#saved_address option').map((o) => o.text())).toEqual([
      'Choose one to fill in the form',
      'Ann Lee, 2 Oak Ave, Ottawa (default)',
      'Ann at work, 1 Main St, Springfield',
    ])

    await wrapper.get('#saved_address').setValue('1')
    expect(value(wrapper, 'customer_name')).toBe('Ann at work')
    expect(value(wrapper, 'line1')).toBe('1 Main St')
    expect(value(wrapper, 'line2')).toBe('')
    expect(value(wrapper, 'region')).toBe('IL')
    expect(value(wrapper, 'country')).toBe('US')
    // The "save" box starts unticked.
    expect((wrapper.get('[data-testid="save-address"]').element as HTMLInputElement).checked).toBe(false)
    wrapper.unmount()
  })

  it('leaves an address the shopper already typed alone', async () => {
    accounts.routes['GET /api/account/addresses'] = { body: { addresses: [savedAddress(2, { is_default: true })] } }
    checkoutDraft.line1 = '9 Elm St'
    useAccountStore().customer = customer()
    const wrapper = await mountPage()
    expect(value(wrapper, 'line1')).toBe('9 Elm St')
    expect(value(wrapper, 'customer_name')).toBe('')
    expect(value(wrapper, 'saved_address')).toBe('')
    wrapper.unmount()
  })

  it('saves the address to the account once the order is placed, when asked, without holding the order up', async () => {
    accounts.routes['POST /api/account/addresses'] = problem(503)
    mocked.placeOrder.mockResolvedValue({ number: 'SH-1', lookup_token: 'lt' } as never)
    useAccountStore().customer = customer()
    const wrapper = await mountPage()
    await fill(wrapper)
    await wrapper.get('[data-testid="save-address"]').setValue(true)
    await wrapper.get('form').trigger('submit')
    await flushPromises()

    expect(router.currentRoute.value.fullPath).toBe('/orders/SH-1?token=lt')
    expect(accounts.bodyOf('POST /api/account/addresses')).toEqual({
      name: 'Ada Lovelace',
      line1: '1 Main St',
      city: 'Springfield',
      postal_code: '12345',
      country: 'US',
    })
    wrapper.unmount()
  })

  it('saves nothing when the box is not ticked, or the order failed', async () => {
    mocked.placeOrder.mockRejectedValueOnce(new ApiError(402, { code: 'card_declined', field: 'card_token' }))
    mocked.placeOrder.mockResolvedValueOnce({ number: 'SH-1', lookup_token: 'lt' } as never)
    useAccountStore().customer = customer()
    const wrapper = await mountPage()
    await fill(wrapper)
    await wrapper.get('[data-testid="save-address"]').setValue(true)
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(accounts.calls()).not.toContain('POST /api/account/addresses')

    await wrapper.get('[data-testid="save-address"]').setValue(false)
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(router.currentRoute.value.path).toBe('/orders/SH-1')
    expect(accounts.calls()).not.toContain('POST /api/account/addresses')
    wrapper.unmount()
  })
})
