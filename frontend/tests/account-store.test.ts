import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import type { MergeNote } from '../src/api/account'
import { SIGNED_IN_KEY, useAccountStore } from '../src/stores/account'
import { CART_CHANGED_KEY, CART_TOKEN_KEY, useCartStore } from '../src/stores/cart'
import { type FakeApi, fakeApi, problem } from './fake-api'
import { cart, cartLine, customer, signedIn, wishlistItem } from './fixtures'

const NOTE: MergeNote = { sku: 'ABC-1', requested: 5, kept: 3, reason: 'quantity_limit' }

let api: FakeApi

beforeEach(() => {
  localStorage.clear()
  setActivePinia(createPinia())
  api = fakeApi()
})
afterEach(() => {
  vi.unstubAllGlobals()
})

/** This browser signed in before: the key is set, and `local` is its cart. */
function returning(local: string | null): void {
  localStorage.setItem(SIGNED_IN_KEY, '1')
  if (local) localStorage.setItem(CART_TOKEN_KEY, local)
}

describe('signing in', () => {
  it('sends this browser’s cart, then uses the cart the answer names and keeps what the merge could not', async () => {
    localStorage.setItem(CART_TOKEN_KEY, 'guest')
    api.routes['POST /api/account/sign-in'] = { body: signedIn('mine', [NOTE]) }
    api.routes['GET /api/carts/mine'] = { body: cart('mine', [cartLine({ quantity: 4 })]) }
    const account = useAccountStore()
    const carts = useCartStore()

    await account.signIn('ann@example.com', 'correct horse')

    expect(api.bodyOf('POST /api/account/sign-in')).toEqual({ email: 'ann@example.com', password: 'correct horse', cart_token: 'guest' })
    expect(account.customer?.email).toBe('ann@example.com')
    expect(carts.token).toBe('mine')
    expect(localStorage.getItem(CART_TOKEN_KEY)).toBe('mine')
    expect(carts.mergeNotes).toEqual([NOTE])
    expect(localStorage.getItem(SIGNED_IN_KEY)).toBe('1')
    await vi.waitFor(() => expect(carts.count).toBe(4))
  })

  it('keeps this browser’s cart when the customer has none yet', async () => {
    api.routes['POST /api/account/sign-in'] = { body: signedIn(null) }
    const account = useAccountStore()
    await account.signIn('ann@example.com', 'correct horse')
    expect(api.bodyOf('POST /api/account/sign-in')).toMatchObject({ cart_token: null })
    expect(useCartStore().token).toBeNull()
  })

  it('changes nothing when the password is wrong, and passes the error on', async () => {
    localStorage.setItem(CART_TOKEN_KEY, 'guest')
    api.routes['POST /api/account/sign-in'] = problem(401, { code: 'invalid_credentials' })
    const account = useAccountStore()
    await expect(account.signIn('ann@example.com', 'nope')).rejects.toMatchObject({ status: 401 })
    expect(account.customer).toBeNull()
    expect(useCartStore().token).toBe('guest')
    expect(localStorage.getItem(SIGNED_IN_KEY)).toBeNull()
  })
})

describe('signing out', () => {
  it('forgets the account’s cart here, so the next add starts a new guest cart', async () => {
    returning('mine')
    api.routes['GET /api/account'] = { body: { customer: customer(), cart_token: 'mine' } }
    api.routes['GET /api/carts/mine'] = { body: cart('mine', [cartLine()]) }
    api.routes['POST /api/account/sign-out'] = { status: 204 }
    const account = useAccountStore()
    const carts = useCartStore()
    await account.load()
    expect(account.signedIn).toBe(true)

    await account.signOut()

    expect(account.customer).toBeNull()
    expect(carts.token).toBeNull()
    expect(localStorage.getItem(CART_TOKEN_KEY)).toBeNull()
    expect(localStorage.getItem(SIGNED_IN_KEY)).toBeNull()
    expect(localStorage.getItem(CART_CHANGED_KEY)).toBeTruthy()

    api.routes['POST /api/carts'] = { body: cart('fresh') }
    api.routes['POST /api/carts/fresh/items'] = { body: cart('fresh', [cartLine()]) }
    expect(await carts.add('BB-AAAA', 1)).toBe(true)
    expect(carts.token).toBe('fresh')
    expect(api.calls()).not.toContain('POST /api/account/cart')
  })

  it('says so, and stays signed in, when the server could not be told', async () => {
    returning('mine')
    api.routes['GET /api/account'] = { body: { customer: customer(), cart_token: 'mine' } }
    api.routes['GET /api/carts/mine'] = { body: cart('mine') }
    api.routes['POST /api/account/sign-out'] = 'network-error'
    const account = useAccountStore()
    await account.load()
    await expect(account.signOut()).rejects.toMatchObject({ status: 0 })
    expect(account.signedIn).toBe(true)
    expect(useCartStore().token).toBe('mine')
  })
})

describe('at start', () => {
  it('asks nothing in a browser that never signed in: guests send what they always sent', async () => {
    const account = useAccountStore()
    expect(account.loaded).toBe(true)
    await account.load()
    expect(api.sent).toEqual([])
    expect(account.customer).toBeNull()
  })

  it('merges a cart made here while signed out into the account’s, and uses the one the answer names', async () => {
    returning('guest')
    api.routes['GET /api/account'] = { body: { customer: customer(), cart_token: 'mine' } }
    api.routes['POST /api/account/cart'] = { body: { cart: { token: 'mine', notes: [NOTE] } } }
    api.routes['GET /api/carts/mine'] = { body: cart('mine', [cartLine({ quantity: 3 })]) }
    const account = useAccountStore()
    const carts = useCartStore()
    expect(account.loaded).toBe(false)

    await account.load()

    expect(api.bodyOf('POST /api/account/cart')).toEqual({ cart_token: 'guest' })
    expect(carts.token).toBe('mine')
    expect(localStorage.getItem(CART_TOKEN_KEY)).toBe('mine')
    expect(carts.mergeNotes).toEqual([NOTE])
    expect(carts.count).toBe(3)
    expect(account.loaded).toBe(true)
  })

  it('uses the account’s cart when this browser has none, and merges nothing when both are the same', async () => {
    returning(null)
    api.routes['GET /api/account'] = { body: { customer: customer(), cart_token: 'mine' } }
    api.routes['GET /api/carts/mine'] = { body: cart('mine', [cartLine()]) }
    await useAccountStore().load()
    expect(useCartStore().token).toBe('mine')

    setActivePinia(createPinia())
    api.sent.length = 0
    await useAccountStore().load()
    expect(api.calls()).toEqual(['GET /api/account'])
  })

  it('forgets the account’s cart when the session has ended', async () => {
    returning('mine')
    api.routes['GET /api/account'] = problem(401, { code: 'signed_out' })
    const account = useAccountStore()
    await account.load()
    expect(account.loaded).toBe(true)
    expect(account.customer).toBeNull()
    expect(useCartStore().token).toBeNull()
    expect(localStorage.getItem(SIGNED_IN_KEY)).toBeNull()
  })

  it('stays unknown without throwing when the service cannot be reached, and asks again on focus', async () => {
    returning('mine')
    api.routes['GET /api/account'] = 'network-error'
    const account = useAccountStore()
    await expect(account.load()).resolves.toBeUndefined()
    expect(account.loaded).toBe(false)
    expect(useCartStore().token).toBe('mine')

    api.routes['GET /api/account'] = { body: { customer: customer(), cart_token: 'mine' } }
    api.routes['GET /api/carts/mine'] = { body: cart('mine') }
    const stop = account.startSync(window)
    window.dispatchEvent(new Event('focus'))
    await vi.waitFor(() => expect(account.signedIn).toBe(true))
    stop()
  })
})

describe('while signed in', () => {
  it('ties a new cart to the account, and adds to the cart the answer names', async () => {
    api.routes['POST /api/account/sign-in'] = { body: signedIn(null) }
    api.routes['POST /api/carts'] = { body: cart('new') }
    api.routes['POST /api/account/cart'] = { body: { cart: { token: 'mine', notes: [] } } }
    api.routes['POST /api/carts/mine/items'] = { body: cart('mine', [cartLine({ quantity: 2 })]) }
    const carts = useCartStore()
    await useAccountStore().signIn('ann@example.com', 'correct horse')

    expect(await carts.add('BB-AAAA', 1)).toBe(true)

    expect(api.bodyOf('POST /api/account/cart')).toEqual({ cart_token: 'new' })
    expect(carts.token).toBe('mine')
    expect(carts.count).toBe(2)
  })

  it('keeps a new cart as this browser’s when the session ended meanwhile', async () => {
    api.routes['POST /api/account/sign-in'] = { body: signedIn(null) }
    api.routes['POST /api/carts'] = { body: cart('new') }
    api.routes['POST /api/account/cart'] = problem(401, { code: 'signed_out' })
    api.routes['POST /api/carts/new/items'] = { body: cart('new', [cartLine()]) }
    const account = useAccountStore()
    const carts = useCartStore()
    await account.signIn('ann@example.com', 'correct horse')

    expect(await carts.add('BB-AAAA', 1)).toBe(true)

    expect(carts.token).toBe('new')
    expect(account.signedIn).toBe(false)
  })

  it('follows a sign-in and a sign-out in another tab', async () => {
    const account = useAccountStore()
    const stop = account.startSync(window)
    api.routes['GET /api/account'] = { body: { customer: customer(), cart_token: null } }
    localStorage.setItem(SIGNED_IN_KEY, '1')
    window.dispatchEvent(new StorageEvent('storage', { key: SIGNED_IN_KEY, newValue: '1' }))
    await vi.waitFor(() => expect(account.signedIn).toBe(true))

    localStorage.removeItem(SIGNED_IN_KEY)
    window.dispatchEvent(new StorageEvent('storage', { key: SIGNED_IN_KEY, newValue: null }))
    expect(account.signedIn).toBe(false)
    stop()
  })
})

describe('the wishlist’s SKUs', () => {
  it('are asked for once per visit, only while signed in, and go with the session', async () => {
    const account = useAccountStore()
    await account.loadWishlist()
    expect(api.calls()).toEqual([])
    expect(account.wishlist).toBeNull()

    returning('mine')
    api.routes['GET /api/account'] = { body: { customer: customer(), cart_token: 'mine' } }
    api.routes['GET /api/carts/mine'] = { body: cart('mine') }
    api.routes['GET /api/account/wishlist'] = { body: { items: [wishlistItem('A')] } }
    api.routes['PUT /api/account/wishlist/B'] = { status: 204 }
    api.routes['POST /api/account/sign-out'] = { status: 204 }
    await account.load()
    await Promise.all([account.loadWishlist(), account.loadWishlist()])
    await account.loadWishlist()
    expect(api.calls().filter((call) => call === 'GET /api/account/wishlist')).toHaveLength(1)
    expect(account.wishlist).toEqual(new Set(['A']))

    await account.saveToWishlist('B')
    expect(account.wishlist).toEqual(new Set(['A', 'B']))

    await account.signOut()
    expect(account.wishlist).toBeNull()
  })

  it('stay unknown when the service could not be asked, for the next page to ask again', async () => {
    returning('mine')
    api.routes['GET /api/account'] = { body: { customer: customer(), cart_token: 'mine' } }
    api.routes['GET /api/carts/mine'] = { body: cart('mine') }
    api.routes['GET /api/account/wishlist'] = problem(503)
    const account = useAccountStore()
    await account.load()
    await account.loadWishlist()
    expect(account.wishlist).toBeNull()
    expect(account.signedIn).toBe(true)
  })
})
