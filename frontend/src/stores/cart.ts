// The guest cart. Its token is the only key to it, so it is kept in localStorage (it survives reloads); every
// change is signalled to other tabs through a second localStorage key (the token itself rarely changes, and a
// storage event fires only on a change), and the cart is re-read when the window gets focus again.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import * as api from '../api/checkout'
import { ApiError } from '../api/http'
import type { Cart, PriceProblemLine, StockProblemLine } from '../api/types'

export const CART_TOKEN_KEY = 'shop.cart.token'
export const CART_CHANGED_KEY = 'shop.cart.changed'

/** Why checkout sent the shopper back to the cart (409 price_changed / out_of_stock / cart_empty). */
export type CheckoutNotice =
  | { code: 'price_changed'; lines: PriceProblemLine[] }
  | { code: 'out_of_stock'; lines: StockProblemLine[] }
  | { code: 'cart_empty' }

function readToken(): string | null {
  try {
    return localStorage.getItem(CART_TOKEN_KEY)
  } catch {
    return null // storage disabled (private mode in some browsers): the cart lives as long as the tab
  }
}

function writeStorage(key: string, value: string | null): void {
  try {
    if (value === null) localStorage.removeItem(key)
    else localStorage.setItem(key, value)
  } catch {
    // see readToken
  }
}

const isMissingCart = (err: unknown) =>
  err instanceof ApiError && (err.status === 404 || (err.status === 409 && err.code === 'cart_converted'))

/** What to tell the shopper about a failed cart call. */
export function cartErrorMessage(err: unknown): string {
  if (!(err instanceof ApiError)) return 'Something went wrong. Please try again.'
  if (err.status === 0) return 'We can’t reach the shop. Check your connection and try again.'
  if (err.status === 503) return 'The shop is busy right now. Please try again in a few seconds.'
  if (err.code === 'insufficient_stock') {
    const line = err.problem.lines?.[0] as StockProblemLine | undefined
    if (!line || line.available === 0) return 'Sorry, this product is out of stock.'
    return `Only ${line.available} left in stock.`
  }
  if (err.code === 'cart_converted') return 'This cart was already ordered. Add products to start a new one.'
  if (err.code === 'checkout_in_progress')
    return 'This cart is being paid for (perhaps in another tab), so it cannot change right now. Try again in a moment.'
  if (err.status === 429) return 'That was a lot of changes at once. Please wait a few seconds and try again.'
  if (err.status === 404) return 'Your cart has expired. Add products to start a new one.'
  if (err.status === 422) return 'Sorry, this product is no longer for sale.'
  const field = err.fieldErrors[0]
  if (field?.field === 'quantity') return `Quantity ${field.reason}.`
  if (field) return `${field.reason.charAt(0).toUpperCase()}${field.reason.slice(1)}.`
  return err.problem.detail ?? 'Something went wrong. Please try again.'
}

export const useCartStore = defineStore('cart', () => {
  const token = ref<string | null>(readToken())
  const cart = ref<Cart | null>(null)
  const busy = ref(false)
  /** The last failure, for the shopper; `errorSku` says which line it was about. */
  const error = ref<string | null>(null)
  const errorSku = ref<string | null>(null)
  const checkoutNotice = ref<CheckoutNotice | null>(null)

  const count = computed(() => cart.value?.item_count ?? 0)

  // Calls run one after another, so quick clicks cannot land out of order and undo each other.
  let queue: Promise<unknown> = Promise.resolve()
  function enqueue<T>(work: () => Promise<T>): Promise<T> {
    const next = queue.then(work, work)
    queue = next.catch(() => undefined)
    return next
  }

  function remember(next: Cart): void {
    cart.value = next
    if (token.value !== next.token) {
      token.value = next.token
      writeStorage(CART_TOKEN_KEY, next.token)
    }
  }

  function forget(): void {
    token.value = null
    cart.value = null
    writeStorage(CART_TOKEN_KEY, null)
  }

  function signalOtherTabs(): void {
    writeStorage(CART_CHANGED_KEY, `${Date.now()}-${Math.random().toString(36).slice(2)}`)
  }

  async function create(): Promise<string> {
    const created = await api.createCart()
    remember(created)
    return created.token
  }

  let refreshing: { token: string | null; done: Promise<void> } | null = null

  /**
   * Re-reads the cart; a cart that is gone or was ordered is dropped (the next add starts a new one). Callers
   * that ask for the same token while a read is under way (the shell and the cart page on the same first load)
   * share it.
   */
  function refresh(): Promise<void> {
    if (refreshing?.token === token.value) return refreshing.done
    const current = { token: token.value, done: enqueue(read) }
    refreshing = current
    void current.done.finally(() => {
      if (refreshing === current) refreshing = null
    })
    return current.done
  }

  async function read(): Promise<void> {
    const current = token.value
    if (!current) {
      cart.value = null
      return
    }
    try {
      const fresh = await api.getCart(current)
      // A cart being checked out (perhaps in another tab) is still this shopper's: a declined card gives it back.
      if (fresh.state === 'converted') forget()
      else remember(fresh)
    } catch (err) {
      if (isMissingCart(err)) forget()
      // Otherwise keep what is shown; the next focus or action tries again.
    }
  }

  /** Runs one change; true when it worked, else `error` says why. */
  async function change(sku: string, work: () => Promise<Cart>): Promise<boolean> {
    busy.value = true
    error.value = null
    errorSku.value = null
    try {
      remember(await enqueue(work))
      signalOtherTabs()
      return true
    } catch (err) {
      error.value = cartErrorMessage(err)
      errorSku.value = sku
      // The cart may have changed under us (stock, another tab): show what it is now.
      if (err instanceof ApiError && err.status !== 0 && err.status < 500) await refresh()
      return false
    } finally {
      busy.value = false
    }
  }

  /** Adds units; the first add creates the cart, and a cart that expired or was ordered is replaced once. */
  function add(sku: string, quantity: number): Promise<boolean> {
    return change(sku, async () => {
      const current = token.value ?? (await create())
      try {
        return await api.addItem(current, sku, quantity)
      } catch (err) {
        if (!isMissingCart(err)) throw err
        forget()
        return api.addItem(await create(), sku, quantity)
      }
    })
  }

  function setQuantity(sku: string, quantity: number): Promise<boolean> {
    return change(sku, () => withToken((t) => api.setQuantity(t, sku, quantity)))
  }

  function remove(sku: string): Promise<boolean> {
    return change(sku, () => withToken((t) => api.removeItem(t, sku)))
  }

  async function withToken(work: (token: string) => Promise<Cart>): Promise<Cart> {
    if (!token.value) throw new ApiError(404, { title: 'Not found', detail: 'cart not found' })
    return work(token.value)
  }

  /** The cart became an order: the next add starts a new cart, in every tab. */
  function orderPlaced(): void {
    forget()
    checkoutNotice.value = null
    signalOtherTabs()
  }

  /** Keeps this tab in step with the others and with changes made while it was in the background. */
  function startSync(target: Window = window): () => void {
    let lastFocus = 0
    const onStorage = (event: StorageEvent) => {
      if (event.key === CART_TOKEN_KEY) {
        token.value = event.newValue
        void refresh()
      } else if (event.key === CART_CHANGED_KEY) {
        void refresh()
      }
    }
    const onFocus = () => {
      // focus and visibilitychange often come together; one read is enough.
      if (Date.now() - lastFocus < 1000) return
      lastFocus = Date.now()
      if (token.value) void refresh()
    }
    const onVisible = () => {
      if (target.document.visibilityState === 'visible') onFocus()
    }
    target.addEventListener('storage', onStorage)
    target.addEventListener('focus', onFocus)
    target.document.addEventListener('visibilitychange', onVisible)
    return () => {
      target.removeEventListener('storage', onStorage)
      target.removeEventListener('focus', onFocus)
      target.document.removeEventListener('visibilitychange', onVisible)
    }
  }

  return {
    token,
    cart,
    busy,
    error,
    errorSku,
    checkoutNotice,
    count,
    refresh,
    add,
    setQuantity,
    remove,
    orderPlaced,
    startSync,
  }
})
