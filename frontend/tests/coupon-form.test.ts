import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter, type Router } from 'vue-router'
import CouponForm from '../src/components/CouponForm.vue'
import { couponErrorMessage } from '../src/lib/coupon'
import { ApiError } from '../src/api/http'
import CartPage from '../src/pages/CartPage.vue'
import { CART_CHANGED_KEY, CART_TOKEN_KEY, useCartStore } from '../src/stores/cart'
import { type FakeApi, fakeApi, problem } from './fake-api'
import { cart, cartLine, discount } from './fixtures'

const line = cartLine({ quantity: 1, line_total: '50.00', unit_price: '50.00' })
const plain = cart('t1', [line], { subtotal: '50.00' })
const withCode = cart('t1', [line], {
  subtotal: '50.00',
  coupon: { code: 'WELCOME10', applies: true, reason: null },
  discount: '5.00',
  discounts: [discount('Welcome 10%', 'WELCOME10', '5.00')],
})

let api: FakeApi
let wrapper: VueWrapper | null = null

beforeEach(() => {
  localStorage.clear()
  localStorage.setItem(CART_TOKEN_KEY, 't1')
  setActivePinia(createPinia())
  api = fakeApi({ 'GET /api/carts/t1': { body: plain } })
})
afterEach(() => {
  wrapper?.unmount()
  wrapper = null
  vi.unstubAllGlobals()
})

async function mountForm() {
  await useCartStore().refresh()
  wrapper = mount(CouponForm, { attachTo: document.body })
  await flushPromises()
  return wrapper
}

async function typeAndSubmit(form: VueWrapper, code: string) {
  await form.get('[data-testid="coupon-input"]').setValue(code)
  // Enter in the field submits its form.
  await form.get('form').trigger('submit')
  await flushPromises()
}

describe('the promo code field', () => {
  it('is a labelled field with an Apply button', async () => {
    const form = await mountForm()
    const input = form.get('[data-testid="coupon-input"]')
    expect(form.get(`label[for="${input.attributes('id')}"]`).text()).toBe('Promo code')
    expect(form.get('[data-testid="coupon-apply"]').attributes('type')).toBe('submit')
    expect(form.find('[data-testid="coupon-applied"]').exists()).toBe(false)
  })

  it('puts the code on the cart, which the answer replaces, and shows it with a Remove button', async () => {
    api.routes['PUT /api/carts/t1/coupon'] = { body: withCode }
    const form = await mountForm()
    await typeAndSubmit(form, '  welcome10 ')

    expect(api.bodyOf('PUT /api/carts/t1/coupon')).toEqual({ code: 'welcome10' })
    expect(useCartStore().cart?.coupon?.code).toBe('WELCOME10')
    expect(useCartStore().cart?.discount).toBe('5.00')
    expect(form.get('[data-testid="coupon-applied"]').text()).toBe('WELCOME10')
    expect(form.find('[data-testid="coupon-input"]').exists()).toBe(false)
    expect(form.find('[data-testid="coupon-error"]').exists()).toBe(false)
    expect(form.get('[data-testid="coupon-remove"]').text()).toBe('Remove code WELCOME10')
    expect(form.get('[role="status"]').text()).toBe('Code WELCOME10 applied.')
    // The field went away: focus is on the code now on the cart, not lost.
    expect(form.get('.coupon__applied').element).toBe(document.activeElement)
    // Other tabs are told the cart changed.
    expect(localStorage.getItem(CART_CHANGED_KEY)).not.toBeNull()
  })

  it('shows why a code is refused next to the field, focuses it, and leaves the cart as it was', async () => {
    api.routes['PUT /api/carts/t1/coupon'] = problem(422, {
      code: 'coupon_refused',
      errors: [{ field: 'code', reason: 'this code has expired' }],
    })
    const form = await mountForm()
    await typeAndSubmit(form, 'OLDCODE')

    const error = form.get('[data-testid="coupon-error"]')
    expect(error.text()).toBe('This code has expired.')
    expect(error.element.closest('[role="alert"]')).not.toBeNull()
    const input = form.get('[data-testid="coupon-input"]')
    expect(input.attributes('aria-invalid')).toBe('true')
    expect(input.attributes('aria-describedby')).toBe(error.attributes('id'))
    expect(document.activeElement).toBe(input.element)
    expect(useCartStore().cart?.coupon).toBeNull()
    // What was typed stays, to be corrected.
    expect((input.element as HTMLInputElement).value).toBe('OLDCODE')
  })

  it('says how long to wait when there were too many attempts', async () => {
    api.routes['PUT /api/carts/t1/coupon'] = problem(429, {}, { 'Retry-After': '42' })
    const form = await mountForm()
    await typeAndSubmit(form, 'GUESS1')
    expect(form.get('[data-testid="coupon-error"]').text()).toBe('Too many attempts. Please try again in 42 s.')
  })

  it('checks the code’s shape before spending an attempt on it', async () => {
    const form = await mountForm()
    await typeAndSubmit(form, 'no spaces!')
    expect(form.get('[data-testid="coupon-error"]').text()).toBe('A promo code is 3 to 40 letters, digits or dashes.')
    await typeAndSubmit(form, '   ')
    expect(form.get('[data-testid="coupon-error"]').text()).toBe('Enter a promo code.')
    expect(api.calls()).not.toContain('PUT /api/carts/t1/coupon')
    // Typing again clears the message.
    await form.get('[data-testid="coupon-input"]').setValue('WELCOME10')
    expect(form.find('[data-testid="coupon-error"]').exists()).toBe(false)
  })

  it('takes the code off, and focus goes back to the field', async () => {
    api.routes['GET /api/carts/t1'] = { body: withCode }
    api.routes['DELETE /api/carts/t1/coupon'] = { body: plain }
    const form = await mountForm()
    await form.get('[data-testid="coupon-remove"]').trigger('click')
    await flushPromises()

    expect(api.calls()).toContain('DELETE /api/carts/t1/coupon')
    expect(useCartStore().cart?.coupon).toBeNull()
    expect(form.find('[data-testid="coupon-applied"]').exists()).toBe(false)
    expect(document.activeElement).toBe(form.get('[data-testid="coupon-input"]').element)
    expect(form.get('[role="status"]').text()).toBe('Code removed.')
  })

  it('keeps a code that takes nothing off now, saying why, until it is removed', async () => {
    api.routes['GET /api/carts/t1'] = {
      body: cart('t1', [line], {
        subtotal: '50.00',
        coupon: { code: 'BIG50', applies: false, reason: 'spend at least 100.00 to use this code' },
      }),
    }
    const form = await mountForm()
    expect(form.get('[data-testid="coupon-applied"]').text()).toBe('BIG50')
    const reason = form.get('[data-testid="coupon-reason"]')
    expect(reason.text()).toContain('Spend at least 100.00 to use this code.')
    expect(form.get('[data-testid="coupon-remove"]').attributes('aria-describedby')).toBe(reason.attributes('id'))
  })
})

describe('coupon error messages', () => {
  it('turns each refusal into a sentence for the shopper', () => {
    const malformed = new ApiError(400, { errors: [{ field: 'code', reason: 'must be a promotion code (3 to 40 letters, digits and -)' }] })
    expect(couponErrorMessage(malformed)).toBe('The code must be a promotion code (3 to 40 letters, digits and -).')
    expect(couponErrorMessage(new ApiError(409, { code: 'checkout_in_progress' }, 5))).toContain('being paid for')
    expect(couponErrorMessage(new ApiError(409, { code: 'cart_converted' }))).toContain('already ordered')
    expect(couponErrorMessage(new ApiError(503, {}))).toContain('busy')
  })
})

describe('the cart page with promotions', () => {
  let router: Router
  beforeEach(async () => {
    router = createRouter({
      history: createMemoryHistory(),
      routes: [
        { path: '/cart', component: CartPage },
        { path: '/:any(.*)*', component: { template: '<p>elsewhere</p>' } },
      ],
    })
    await router.push('/cart')
  })

  it('shows each discount and the subtotal after them, under the summary with the code field', async () => {
    api.routes['GET /api/carts/t1'] = {
      body: {
        ...withCode,
        discount: '7.00',
        discounts: [
          discount('Welcome 10%', 'WELCOME10', '5.00'),
          discount('Spring sale', null, '2.00'),
          discount('Free shipping over 40', null, '0.00', '4.99'),
        ],
      },
    }
    wrapper = mount(CartPage, { global: { plugins: [router] }, attachTo: document.body })
    await flushPromises()

    expect(wrapper.findAll('[data-testid="discount-line"]').map((row) => `${row.get('dt').text()} ${row.get('dd').text()}`)).toEqual([
      'Welcome 10% (WELCOME10) −$5.00',
      'Spring sale −$2.00',
      'Free shipping over 40 −$4.99 off shipping',
    ])
    expect(wrapper.get('[data-testid="subtotal"]').text()).toBe('$50.00')
    expect(wrapper.get('[data-testid="discounted-subtotal"]').text()).toBe('$43.00')
    expect(wrapper.get('.summary [data-testid="coupon-applied"]').text()).toBe('WELCOME10')
  })

  it('shows no discount rows for a cart without promotions', async () => {
    wrapper = mount(CartPage, { global: { plugins: [router] }, attachTo: document.body })
    await flushPromises()
    expect(wrapper.findAll('[data-testid="discount-line"]')).toHaveLength(0)
    expect(wrapper.find('[data-testid="discounted-subtotal"]').exists()).toBe(false)
    expect(wrapper.find('.summary [data-testid="coupon-input"]').exists()).toBe(true)
  })
})
