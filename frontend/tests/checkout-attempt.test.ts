import { beforeEach, describe, expect, it, vi } from 'vitest'
import * as api from '../src/api/checkout'
import { ApiError } from '../src/api/http'
import type { PlaceOrderRequest, PlacedOrder } from '../src/api/types'
import { CheckoutAttempts, placeWithKey } from '../src/lib/checkout-attempt'

vi.mock('../src/api/checkout')
const placeOrder = vi.mocked(api.placeOrder)

const body: PlaceOrderRequest = {
  cart_token: 't',
  email: 'a@b.co',
  customer_name: 'A',
  shipping_address: { line1: '1 St', city: 'C', postal_code: '1', country: 'US' },
  shipping_method: 'standard',
  card_token: 'tok_visa',
}

beforeEach(() => vi.resetAllMocks())

describe('Idempotency-Key per checkout attempt', () => {
  it('keeps the key to retry the same request after an outage or a lost connection', () => {
    const attempts = new CheckoutAttempts()
    const first = attempts.keyFor(body)
    attempts.settled(new ApiError(503, { title: 'Unavailable' }))
    expect(attempts.keyFor(body)).toBe(first)
    attempts.settled(new ApiError(0, { title: 'Network error' }))
    expect(attempts.keyFor(body)).toBe(first)
  })

  it('starts a new attempt when the form changed', () => {
    const attempts = new CheckoutAttempts()
    const first = attempts.keyFor(body)
    attempts.settled(new ApiError(503, {}))
    expect(attempts.keyFor({ ...body, card_token: 'tok_declined' })).not.toBe(first)
  })

  it('starts a new attempt after a final answer (a declined card, a price change)', () => {
    const attempts = new CheckoutAttempts()
    const first = attempts.keyFor(body)
    attempts.settled(new ApiError(409, { code: 'price_changed' }))
    const second = attempts.keyFor(body)
    expect(second).not.toBe(first)
    attempts.settled(new ApiError(402, { code: 'card_declined' }))
    expect(attempts.keyFor(body)).not.toBe(second)
  })

  it('uses UUIDs', () => {
    expect(new CheckoutAttempts().keyFor(body)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  })

  it('waits while the same key is still being processed, then gets the first answer', async () => {
    const order = { number: 'SH-1' } as PlacedOrder
    placeOrder
      .mockRejectedValueOnce(new ApiError(409, { code: 'in_progress' }, 1))
      .mockResolvedValueOnce(order)
    const wait = vi.fn(async () => undefined)

    await expect(placeWithKey(body, 'k1', wait)).resolves.toBe(order)

    expect(wait).toHaveBeenCalledWith(1000)
    expect(placeOrder.mock.calls.map((call) => call[1])).toEqual(['k1', 'k1'])
  })

  it('passes every other failure through', async () => {
    placeOrder.mockRejectedValue(new ApiError(402, { code: 'card_declined' }))
    await expect(placeWithKey(body, 'k', async () => undefined)).rejects.toMatchObject({ status: 402 })
    expect(placeOrder).toHaveBeenCalledTimes(1)
  })
})
