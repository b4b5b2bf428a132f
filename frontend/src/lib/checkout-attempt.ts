// One Idempotency-Key per checkout attempt. A double click, or "Try again" after an outage or a lost
// connection, sends the same body with the same key, so the server answers with the first order instead of
// making a second one. Any other answer is final for that key: the next submit is a new attempt with a new key
// (resending a final answer's key would only replay it, e.g. the old price_changed after the cart was fixed).
import { placeOrder } from '../api/checkout'
import { ApiError } from '../api/http'
import type { PlaceOrderRequest, PlacedOrder } from '../api/types'
import { uuid } from './uuid'

export class CheckoutAttempts {
  private current: { key: string; body: string } | null = null
  private retryable = false

  /** The key for sending `body` now: the same as last time only when retrying the same, unanswered attempt. */
  keyFor(body: PlaceOrderRequest): string {
    const text = JSON.stringify(body)
    if (!this.current || !this.retryable || this.current.body !== text) {
      this.current = { key: uuid(), body: text }
    }
    this.retryable = false
    return this.current.key
  }

  /** Records how the attempt ended; only outages and lost connections may be retried with the same key. */
  settled(error?: unknown): void {
    this.retryable = error !== undefined && (!(error instanceof ApiError) || error.isTransient)
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Places the order. While the server is still working on the same key (409 in_progress, e.g. the first request
 * of a double submit), waits as told by Retry-After and asks again: the answer is then the first request's.
 */
export async function placeWithKey(
  body: PlaceOrderRequest,
  key: string,
  wait: (ms: number) => Promise<unknown> = sleep,
  maxWaits = 10,
): Promise<PlacedOrder> {
  for (let waits = 0; ; waits++) {
    try {
      return await placeOrder(body, key)
    } catch (err) {
      const inProgress = err instanceof ApiError && err.status === 409 && err.code === 'in_progress'
      if (!inProgress || waits >= maxWaits) throw err
      await wait(Math.min(err.retryAfter ?? 1, 5) * 1000)
    }
  }
}
