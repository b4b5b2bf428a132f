// The checkout service: guest carts, place-order and order lookup.
import { request } from './http'
import type { Cart, CartTotals, OrderWithTimeline, PlaceOrderRequest, PlacedOrder, ShippingMethod } from './types'

const cartPath = (token: string) => `/api/carts/${encodeURIComponent(token)}`

export function createCart(): Promise<Cart> {
  return request('/api/carts', { method: 'POST' })
}

export function getCart(token: string): Promise<Cart> {
  return request(cartPath(token))
}

/** Subtotal, shipping, tax and total as place-order would charge them with `method`. */
export function getCartTotals(token: string, method: ShippingMethod): Promise<CartTotals> {
  return request(`${cartPath(token)}/totals?shipping_method=${encodeURIComponent(method)}`)
}

export function addItem(token: string, sku: string, quantity: number): Promise<Cart> {
  return request(`${cartPath(token)}/items`, { method: 'POST', body: { sku, quantity } })
}

export function setQuantity(token: string, sku: string, quantity: number): Promise<Cart> {
  return request(`${cartPath(token)}/items/${encodeURIComponent(sku)}`, { method: 'PUT', body: { quantity } })
}

export function removeItem(token: string, sku: string): Promise<Cart> {
  return request(`${cartPath(token)}/items/${encodeURIComponent(sku)}`, { method: 'DELETE' })
}

/** Puts a promotion code on the cart, replacing any other; `code` as typed (the server trims and upper-cases it). */
export function applyCoupon(token: string, code: string): Promise<Cart> {
  return request(`${cartPath(token)}/coupon`, { method: 'PUT', body: { code } })
}

export function removeCoupon(token: string): Promise<Cart> {
  return request(`${cartPath(token)}/coupon`, { method: 'DELETE' })
}

/** `idempotencyKey` is one per checkout attempt: the same key with the same body replays the first answer. */
export function placeOrder(body: PlaceOrderRequest, idempotencyKey: string): Promise<PlacedOrder> {
  return request('/api/orders', { method: 'POST', body, headers: { 'Idempotency-Key': idempotencyKey } })
}

export function getOrder(number: string, token: string): Promise<OrderWithTimeline> {
  return request(`/api/orders/${encodeURIComponent(number)}?token=${encodeURIComponent(token)}`)
}
