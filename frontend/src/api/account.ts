// The accounts service: shopper accounts (sign-up confirmed by an emailed link, sign-in, password reset) and the
// cart that follows a signed-in shopper from browser to browser. The session is an HttpOnly cookie that this code
// never sees: same-origin fetch sends it, and only the answers below say whether there is one.
import { queryString, request } from './http'
import type { OrderWithTimeline } from './types'

// The shapes are generated from the accounts service's Rust types (accounts/openapi.json, `npm run gen:api`).
import type { components as AccountsApi } from './generated/accounts'

type Accounts = AccountsApi['schemas']

export type Customer = Accounts['Customer']
/** A line of this browser's cart that the customer's cart could not take as it was. */
export type MergeNote = Accounts['MergeNote']
/** `token`: the customer's cart to use from now on (null: they have none yet). */
export type CartLink = Accounts['CartLink']
export type SignedIn = Accounts['SignedInView']
export type Account = Accounts['AccountView']
export type SignUpRequest = Accounts['SignUpRequest']

/** One line of an order as the list names it (its prices are on the order's own page). */
export type OrderSummaryLine = Accounts['SummaryLine']
/**
 * An order in the account's list; `status` takes checkout's order states, or `unknown` for one added by a newer
 * checkout than the accounts service knows.
 */
export type OrderSummary = Accounts['OrderSummary']
/** A page of orders, newest first; `next` asks for the following page (absent or null: this is the last). */
export type OrderList = Accounts['OrdersReply']
/** Why a line of an earlier order could not go into the cart again. */
export type ReorderSkipReason = Accounts['SkipReason']
/** "Buy again": the lines that went into the customer's cart (`cart.token`), at today's prices, and the rest. */
export type Reordered = Accounts['Reordered']
/** An address kept in the account (at most 20); the default one comes first. */
export type SavedAddress = Accounts['SavedAddress']
/** What adding or changing an address sends; `is_default: true` makes it the default (the others lose it). */
export type AddressRequest = Accounts['AddressRequest']
/**
 * A saved product with the catalog's current price and stock: both null when the catalog could not be asked
 * just now; `for_sale` false when it is no longer sold.
 */
export type WishlistItem = Accounts['WishlistItem']

/**
 * Everything the shop keeps about the signed-in shopper, as a JSON file (Content-Disposition: attachment): a
 * plain link downloads it, the session cookie going with it.
 */
export const ACCOUNT_EXPORT_PATH = '/api/account/export'

/**
 * Always 202 for valid input, whether or not the address already had an account: the answer must not tell
 * who shops here. The emailed link finishes the sign-up (`/account/verify#token=...`).
 */
export function signUp(body: SignUpRequest): Promise<unknown> {
  return request('/api/account/sign-up', { method: 'POST', body })
}

/** Signs the shopper in on this browser and merges this browser's cart (`cartToken`) into theirs. */
export function verify(token: string, cartToken: string | null): Promise<SignedIn> {
  return request('/api/account/verify', { method: 'POST', body: { token, cart_token: cartToken } })
}

export function resendVerification(email: string): Promise<unknown> {
  return request('/api/account/verify/resend', { method: 'POST', body: { email } })
}

export function signIn(email: string, password: string, cartToken: string | null): Promise<SignedIn> {
  return request('/api/account/sign-in', { method: 'POST', body: { email, password, cart_token: cartToken } })
}

export function signOut(): Promise<unknown> {
  return request('/api/account/sign-out', { method: 'POST' })
}

/** 401 `signed_out` when this browser has no valid session. */
export function getAccount(): Promise<Account> {
  return request('/api/account')
}

/** Always 202: the answer does not tell whether an account uses the address. */
export function requestPasswordReset(email: string): Promise<unknown> {
  return request('/api/account/password-reset', { method: 'POST', body: { email } })
}

/** Ends every session of the account. */
export function confirmPasswordReset(token: string, password: string): Promise<unknown> {
  return request('/api/account/password-reset/confirm', { method: 'POST', body: { token, password } })
}

export function changePassword(currentPassword: string, newPassword: string): Promise<unknown> {
  return request('/api/account/password', {
    method: 'POST',
    body: { current_password: currentPassword, new_password: newPassword },
  })
}

/**
 * Ties this browser's cart to the signed-in customer; when they already have a cart, this one is merged into it
 * and the answer names theirs.
 */
export async function attachCart(cartToken: string | null): Promise<CartLink> {
  const answer = await request<{ cart: CartLink }>('/api/account/cart', { method: 'POST', body: { cart_token: cartToken } })
  return answer.cart
}

const orderPath = (number: string) => `/api/account/orders/${encodeURIComponent(number)}`

/** Newest first, 20 at a time; `before` is the `next` of the page before (null: the first page). */
export function listOrders(before: string | null = null): Promise<OrderList> {
  return request(`/api/account/orders${queryString({ before })}`)
}

/** Adds the orders placed as a guest with the account's address; answers how many it added. */
export async function claimOrders(): Promise<number> {
  const answer = await request<{ claimed: number }>('/api/account/orders/claim', { method: 'POST', body: {} })
  return answer.claimed
}

/** The same order page as the lookup link's (`getOrder` in checkout.ts); 404 when it is not this customer's. */
export function getAccountOrder(number: string): Promise<OrderWithTimeline> {
  return request(orderPath(number))
}

export function reorder(number: string): Promise<Reordered> {
  return request(`${orderPath(number)}/reorder`, { method: 'POST', body: {} })
}

export async function listAddresses(): Promise<SavedAddress[]> {
  const answer = await request<{ addresses: SavedAddress[] }>('/api/account/addresses')
  return answer.addresses
}

/** 409 `too_many_addresses` at 20; the first address becomes the default. */
export function addAddress(body: AddressRequest): Promise<SavedAddress> {
  return request('/api/account/addresses', { method: 'POST', body })
}

export function updateAddress(id: number, body: AddressRequest): Promise<SavedAddress> {
  return request(`/api/account/addresses/${id}`, { method: 'PUT', body })
}

/** Deleting the default makes the newest remaining address the default. */
export function deleteAddress(id: number): Promise<unknown> {
  return request(`/api/account/addresses/${id}`, { method: 'DELETE' })
}

export async function getWishlist(): Promise<WishlistItem[]> {
  const answer = await request<{ items: WishlistItem[] }>('/api/account/wishlist')
  return answer.items
}

/** Idempotent. 400 field `sku` when the catalog does not know it, 409 `wishlist_full` at 100. */
export function saveToWishlist(sku: string): Promise<unknown> {
  return request(`/api/account/wishlist/${encodeURIComponent(sku)}`, { method: 'PUT' })
}

export function removeFromWishlist(sku: string): Promise<unknown> {
  return request(`/api/account/wishlist/${encodeURIComponent(sku)}`, { method: 'DELETE' })
}

/**
 * Deletes the account and ends its sessions (orders stay, for the books, without the personal fields). 400 field
 * `password` when the password is wrong.
 */
export function deleteAccount(password: string): Promise<unknown> {
  return request('/api/account', { method: 'DELETE', body: { password } })
}
