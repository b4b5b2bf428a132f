import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import * as api from '../src/api/checkout'
import { ApiError } from '../src/api/http'
import { CART_CHANGED_KEY, CART_TOKEN_KEY, cartErrorMessage, useCartStore } from '../src/stores/cart'
import { cart, cartLine } from './fixtures'

vi.mock('../src/api/checkout')
const mocked = vi.mocked(api)

beforeEach(() => {
  localStorage.clear()
  vi.resetAllMocks()
  setActivePinia(createPinia())
})

describe('cart store', () => {
  it('creates the cart on the first add and keeps its token in localStorage', async () => {
    mocked.createCart.mockResolvedValue(cart('t1'))
    mocked.addItem.mockResolvedValue(cart('t1', [cartLine({ quantity: 2 })]))
    const store = useCartStore()

    expect(await store.add('BB-AAAA', 2)).toBe(true)

    expect(mocked.createCart).toHaveBeenCalledTimes(1)
    expect(mocked.addItem).toHaveBeenCalledWith('t1', 'BB-AAAA', 2)
    expect(localStorage.getItem(CART_TOKEN_KEY)).toBe('t1')
    expect(store.count).toBe(2)
  })

  it('reuses the cart for later adds, even two quick ones', async () => {
    mocked.createCart.mockResolvedValue(cart('t1'))
    mocked.addItem.mockResolvedValue(cart('t1', [cartLine()]))
    const store = useCartStore()

    await Promise.all([store.add('BB-AAAA', 1), store.add('BB-BBBB', 1)])

    expect(mocked.createCart).toHaveBeenCalledTimes(1)
    expect(mocked.addItem.mock.calls.map((call) => call[0])).toEqual(['t1', 't1'])
  })

  it('reads the token back after a reload', async () => {
    localStorage.setItem(CART_TOKEN_KEY, 'saved')
    mocked.getCart.mockResolvedValue(cart('saved', [cartLine({ quantity: 3 })]))
    const store = useCartStore()

    await store.refresh()

    expect(mocked.getCart).toHaveBeenCalledWith('saved')
    expect(store.count).toBe(3)
  })

  it('shares one read between callers that ask at the same time', async () => {
    localStorage.setItem(CART_TOKEN_KEY, 'saved')
    mocked.getCart.mockResolvedValue(cart('saved'))
    const store = useCartStore()

    await Promise.all([store.refresh(), store.refresh()])

    expect(mocked.getCart).toHaveBeenCalledTimes(1)
  })

  it('drops a token the server no longer knows, and one whose cart was ordered', async () => {
    localStorage.setItem(CART_TOKEN_KEY, 'gone')
    mocked.getCart.mockRejectedValue(new ApiError(404, { title: 'Not found', detail: 'cart not found' }))
    const store = useCartStore()
    await store.refresh()
    expect(store.token).toBeNull()
    expect(localStorage.getItem(CART_TOKEN_KEY)).toBeNull()

    localStorage.setItem(CART_TOKEN_KEY, 'ordered')
    setActivePinia(createPinia())
    mocked.getCart.mockResolvedValue(cart('ordered', [], { state: 'converted' }))
    const again = useCartStore()
    await again.refresh()
    expect(again.token).toBeNull()
  })

  it('keeps a cart that another tab is checking out: a declined card gives it back', async () => {
    localStorage.setItem(CART_TOKEN_KEY, 'paying')
    mocked.getCart.mockResolvedValue(cart('paying', [], { state: 'checking_out' }))
    const store = useCartStore()
    await store.refresh()
    expect(store.token).toBe('paying')
    expect(localStorage.getItem(CART_TOKEN_KEY)).toBe('paying')
  })

  it('replaces an expired cart once when adding', async () => {
    localStorage.setItem(CART_TOKEN_KEY, 'expired')
    mocked.addItem
      .mockRejectedValueOnce(new ApiError(404, { detail: 'cart not found' }))
      .mockResolvedValueOnce(cart('fresh', [cartLine()]))
    mocked.createCart.mockResolvedValue(cart('fresh'))
    const store = useCartStore()

    expect(await store.add('BB-AAAA', 1)).toBe(true)

    expect(mocked.addItem.mock.calls.map((call) => call[0])).toEqual(['expired', 'fresh'])
    expect(localStorage.getItem(CART_TOKEN_KEY)).toBe('fresh')
  })

  it('keeps a server error for the shopper and re-reads the cart', async () => {
    localStorage.setItem(CART_TOKEN_KEY, 't1')
    mocked.setQuantity.mockRejectedValue(
      new ApiError(409, { code: 'insufficient_stock', lines: [{ sku: 'BB-AAAA', requested: 5, available: 3 }] }),
    )
    mocked.getCart.mockResolvedValue(cart('t1', [cartLine()]))
    const store = useCartStore()

    expect(await store.setQuantity('BB-AAAA', 5)).toBe(false)

    expect(store.error).toBe('Only 3 left in stock.')
    expect(store.errorSku).toBe('BB-AAAA')
    expect(mocked.getCart).toHaveBeenCalledWith('t1')
  })

  it('tells other tabs about every change, and follows theirs', async () => {
    mocked.createCart.mockResolvedValue(cart('t1'))
    mocked.addItem.mockResolvedValue(cart('t1', [cartLine()]))
    const store = useCartStore()
    await store.add('BB-AAAA', 1)
    expect(localStorage.getItem(CART_CHANGED_KEY)).toBeTruthy()

    const stop = store.startSync(window)
    mocked.getCart.mockResolvedValue(cart('t1', [cartLine({ quantity: 4 })]))
    window.dispatchEvent(new StorageEvent('storage', { key: CART_CHANGED_KEY, newValue: 'x' }))
    await vi.waitFor(() => expect(store.count).toBe(4))

    // Another tab started a new cart (this one was ordered there).
    mocked.getCart.mockResolvedValue(cart('t2', [cartLine({ quantity: 1 })]))
    window.dispatchEvent(new StorageEvent('storage', { key: CART_TOKEN_KEY, newValue: 't2' }))
    await vi.waitFor(() => expect(store.token).toBe('t2'))
    expect(mocked.getCart).toHaveBeenLastCalledWith('t2')
    stop()
  })

  it('re-reads the cart when the window gets focus again', async () => {
    localStorage.setItem(CART_TOKEN_KEY, 't1')
    mocked.getCart.mockResolvedValue(cart('t1', [cartLine({ quantity: 2 })]))
    const store = useCartStore()
    const stop = store.startSync(window)

    window.dispatchEvent(new Event('focus'))

    await vi.waitFor(() => expect(store.count).toBe(2))
    stop()
  })

  it('replaces the cart with the answer when a code goes on or comes off', async () => {
    localStorage.setItem(CART_TOKEN_KEY, 't1')
    const withCode = cart('t1', [cartLine()], { coupon: { code: 'WELCOME10', applies: true, reason: null }, discount: '5.00' })
    mocked.applyCoupon.mockResolvedValue(withCode)
    mocked.removeCoupon.mockResolvedValue(cart('t1', [cartLine()]))
    const store = useCartStore()

    await store.applyCoupon(' welcome10 ')
    expect(mocked.applyCoupon).toHaveBeenCalledWith('t1', 'welcome10')
    expect(store.cart?.coupon?.code).toBe('WELCOME10')
    expect(localStorage.getItem(CART_CHANGED_KEY)).not.toBeNull()

    await store.removeCoupon()
    expect(mocked.removeCoupon).toHaveBeenCalledWith('t1')
    expect(store.cart?.coupon).toBeNull()
  })

  it('passes a refused code on for the field to show, and forgets a cart ordered meanwhile', async () => {
    localStorage.setItem(CART_TOKEN_KEY, 't1')
    mocked.getCart.mockResolvedValue(cart('t1', [cartLine()]))
    const store = useCartStore()
    await store.refresh()

    const refused = new ApiError(422, { code: 'coupon_refused', errors: [{ field: 'code', reason: 'this code does not exist' }] })
    mocked.applyCoupon.mockRejectedValueOnce(refused)
    await expect(store.applyCoupon('NOPE')).rejects.toBe(refused)
    expect(store.token).toBe('t1')
    expect(store.busy).toBe(false)

    mocked.applyCoupon.mockRejectedValueOnce(new ApiError(409, { code: 'cart_converted' }))
    mocked.getCart.mockResolvedValue(cart('t1', [], { state: 'converted' }))
    await expect(store.applyCoupon('WELCOME10')).rejects.toBeInstanceOf(ApiError)
    expect(store.token).toBeNull()
  })

  it('forgets the cart once it became an order', async () => {
    localStorage.setItem(CART_TOKEN_KEY, 't1')
    const store = useCartStore()
    store.orderPlaced()
    expect(store.token).toBeNull()
    expect(localStorage.getItem(CART_TOKEN_KEY)).toBeNull()
  })
})

describe('cart error messages', () => {
  it.each([
    [new ApiError(409, { code: 'insufficient_stock', lines: [{ sku: 'x', requested: 2, available: 0 }] }), 'Sorry, this product is out of stock.'],
    [new ApiError(422, { title: 'Unknown product', errors: [{ field: 'sku', reason: 'unknown SKU' }] }), 'Sorry, this product is no longer for sale.'],
    [new ApiError(400, { errors: [{ field: 'quantity', reason: 'must be between 1 and 10' }] }), 'Quantity must be between 1 and 10.'],
    [new ApiError(404, { detail: 'cart not found' }), 'Your cart has expired. Add products to start a new one.'],
    [new ApiError(503, { detail: 'the catalog is unavailable' }, 2), 'The shop is busy right now. Please try again in a few seconds.'],
    [new ApiError(0, { title: 'Network error' }), 'We can’t reach the shop. Check your connection and try again.'],
    [
      new ApiError(409, { code: 'checkout_in_progress' }, 30),
      'This cart is being paid for (perhaps in another tab), so it cannot change right now. Try again in a moment.',
    ],
    [new ApiError(429, { code: 'rate_limited' }, 3), 'That was a lot of changes at once. Please wait a few seconds and try again.'],
  ])('%#: %s', (error, message) => {
    expect(cartErrorMessage(error)).toBe(message)
  })
})
