// The guest cart. Its token is the only key to it, so it is kept in localStorage (it survives reloads); every
// change is signalled to other tabs through a second localStorage key (the token itself rarely changes, and a
// storage event fires only on a change), and the cart is re-read when the window gets focus again.
//
// A signed-in shopper's cart is the same kind of cart, tied to their account by the accounts service: the store
// only swaps tokens when told (`adopt`, `followAccount`, `forgetCart`; stores/account.ts decides when), in the
// same queue as every other call, so a late answer for the old cart cannot bring its token back.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { CartLink, MergeNote } from '../api/account'
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
  /** What merging this browser's cart into the account's could not keep: shown once on the cart page. */
  const mergeNotes = ref<MergeNote[]>([])

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

  /** Switches to another existing cart; what is shown stays until it is read (no flash of an empty cart). */
  function use(next: string): void {
    if (token.value === next) return
    token.value = next
    writeStorage(CART_TOKEN_KEY, next)
  }

  function keepNotes(notes: MergeNote[] | undefined): void {
    if (notes?.length) mergeNotes.value = [...mergeNotes.value, ...notes]
  }

  function signalOtherTabs(): void {
    writeStorage(CART_CHANGED_KEY, `${Date.now()}-${Math.random().toString(36).slice(2)}`)
  }

  /**
   * Set while a shopper is signed in (stores/account.ts): ties a cart just created to their account. It answers
   * with the cart to use, theirs when they already had one, or null when it could not (the new cart then stays
   * this browser's alone, as a guest's would).
   */
  let attachNewCart: ((token: string) => Promise<CartLink | null>) | null = null

  function attachNewCartsWith(attach: ((token: string) => Promise<CartLink | null>) | null): void {
    attachNewCart = attach
  }

  /** A new cart, tied to the account when signed in; the token to add to. */
  async function create(): Promise<string> {
    const created = await api.createCart()
    remember(created)
    if (!attachNewCart) return created.token
    const link = await attachNewCart(created.token)
    keepNotes(link?.notes)
    if (link?.token) use(link.token)
    return token.value ?? created.token
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

  /**
   * Puts a promotion code on the cart (replacing any other); the answer is the cart with the code and what it
   * takes off, which replaces the one shown. A refusal is thrown (an ApiError), for the code field to show: the
   * service leaves the cart as it was, but one ordered or being paid for meanwhile is read again.
   */
  function applyCoupon(code: string): Promise<void> {
    return changeCoupon(() => withToken((t) => api.applyCoupon(t, code.trim())))
  }

  /** Takes the code off the cart; failures are thrown as by applyCoupon. */
  function removeCoupon(): Promise<void> {
    return changeCoupon(() => withToken((t) => api.removeCoupon(t)))
  }

  async function changeCoupon(work: () => Promise<Cart>): Promise<void> {
    busy.value = true
    try {
      remember(await enqueue(work))
      signalOtherTabs()
    } catch (err) {
      if (err instanceof ApiError && (err.status === 404 || err.status === 409)) await refresh()
      throw err
    } finally {
      busy.value = false
    }
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

  /**
   * Sign-in or an email link merged this browser's cart into the customer's: from now on this browser (and
   * every tab of it) uses `link.token`. Resolves once the token is switched; the cart is read after that.
   */
  async function adopt(link: CartLink): Promise<void> {
    keepNotes(link.notes)
    const next = link.token
    if (next) await enqueue(async () => use(next))
    signalOtherTabs()
    void refresh()
  }

  /**
   * At start, signed in: this browser and the account must use one cart. A cart made here while signed out is
   * merged into the account's (`attach` answers with the one to use); with none here, the account's is used.
   * `attach` failing leaves both as they are (the next start tries again); its error is passed on.
   */
  async function followAccount(accountToken: string | null, attach: (local: string) => Promise<CartLink>): Promise<void> {
    // Queued after any read already asked for: a local cart found gone by then is not merged.
    const changed = await enqueue(async () => {
      const local = token.value
      if (local === accountToken) return false
      if (!local) {
        if (!accountToken) return false
        use(accountToken)
        return true
      }
      try {
        const link = await attach(local)
        keepNotes(link.notes)
        if (link.token) use(link.token)
      } catch (err) {
        // This browser's cart is gone after all (expired, or ordered elsewhere): the account's is the one.
        if (!isMissingCart(err)) throw err
        if (accountToken) use(accountToken)
        else forget()
      }
      return true
    })
    if (!changed) return
    signalOtherTabs()
    await refresh()
  }

  /**
   * Signed out: the cart was the account's, so this browser forgets it (the next person at this computer does
   * not see it) and the next add starts a new guest cart, in every tab.
   */
  async function forgetCart(): Promise<void> {
    await enqueue(async () => forget())
    mergeNotes.value = []
    checkoutNotice.value = null
    signalOtherTabs()
  }

  function dismissMergeNotes(): void {
    mergeNotes.value = []
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
    mergeNotes,
    count,
    refresh,
    add,
    setQuantity,
    remove,
    applyCoupon,
    removeCoupon,
    orderPlaced,
    adopt,
    followAccount,
    forgetCart,
    dismissMergeNotes,
    attachNewCartsWith,
    startSync,
  }
})
