// The signed-in shopper, if any. The session is an HttpOnly cookie this code never sees, so the store learns
// about it from the accounts service: at start (GET /api/account), and from sign-in, the email link and sign-out.
//
// A browser that has never signed in asks nothing at start: a localStorage key, set while signed in, says whether
// there may be a session to ask about. So a guest's visit sends the same requests as before accounts existed (and
// no 401 lands in the console on every page); the account pages ask the server whatever the key says. The same
// key tells the other tabs about a sign-in or a sign-out (storage event), the cart's own keys carry its token.
//
// The SKUs on the shopper's wishlist are kept here too, for the product page's "Save to wishlist": asked once per
// visit, when a product page first needs them (never for a guest), and kept in step by this tab's own changes.
//
// Nothing here throws into the shell: a session the service could not be asked about stays unknown (`loaded`
// false) and is asked about again when the window gets focus, or by the next page that needs it.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import * as api from '../api/account'
import type { Account, CartLink, Customer, SignedIn, SignUpRequest, WishlistItem } from '../api/account'
import { ApiError } from '../api/http'
import { useCartStore } from './cart'

export const SIGNED_IN_KEY = 'shop.account.signed-in'

function readSignedIn(): boolean {
  try {
    return localStorage.getItem(SIGNED_IN_KEY) !== null
  } catch {
    return false // storage disabled: the session is asked about by the account pages only
  }
}

function writeSignedIn(signedIn: boolean): void {
  try {
    if (signedIn) localStorage.setItem(SIGNED_IN_KEY, '1')
    else localStorage.removeItem(SIGNED_IN_KEY)
  } catch {
    // see readSignedIn
  }
}

/** The server says this browser has no session (any more). */
export const isSignedOut = (err: unknown) => err instanceof ApiError && err.status === 401 && err.code !== 'invalid_credentials'

export const useAccountStore = defineStore('account', () => {
  const cart = useCartStore()
  const customer = ref<Customer | null>(null)
  /** Whether we know if the shopper is signed in; without the key there is no session to ask about, so from the start. */
  const loaded = ref(!readSignedIn())
  /** One line for the next page to show after a redirect ("You’re signed out."), then cleared by it. */
  const flash = ref<string | null>(null)
  /** SKUs on the wishlist; null until asked (loadWishlist), and again after a sign-out. */
  const wishlist = ref<ReadonlySet<string> | null>(null)

  const signedIn = computed(() => customer.value !== null)

  /** A cart created while signed in joins the account; a 401 there means the session ended meanwhile. */
  async function attachNewCart(token: string): Promise<CartLink | null> {
    try {
      return await api.attachCart(token)
    } catch (err) {
      if (isSignedOut(err)) ended()
      return null
    }
  }

  function becomeSignedIn(who: Customer): void {
    if (customer.value?.id !== who.id) wishlist.value = null
    customer.value = who
    loaded.value = true
    cart.attachNewCartsWith(attachNewCart)
  }

  /** Forgets the session here; the cart is the caller's business (a new guest cart stays, the account's goes). */
  function ended(): void {
    customer.value = null
    wishlist.value = null
    loaded.value = true
    cart.attachNewCartsWith(null)
    writeSignedIn(false)
  }

  /**
   * The session ended while this browser held the account's cart: it goes too (see cart.forgetCart). Pages call
   * it (as `sessionEnded`) when their own account request answers 401 signed_out, then send the shopper to sign in.
   */
  async function endedWithCart(): Promise<void> {
    const hadSession = customer.value !== null || readSignedIn()
    ended()
    if (hadSession) await cart.forgetCart()
  }

  let loading: Promise<void> | null = null

  /**
   * Makes sure we know whether the shopper is signed in; `fresh` asks the server even when we think we know
   * (the account page). Never throws.
   */
  function load(options: { fresh?: boolean } = {}): Promise<void> {
    if (loading) return loading
    if (!options.fresh && (customer.value || !readSignedIn())) {
      loaded.value = true
      return Promise.resolve()
    }
    loading = ask().finally(() => {
      loading = null
    })
    return loading
  }

  async function ask(): Promise<void> {
    let account: Account
    try {
      account = await api.getAccount()
    } catch (err) {
      if (isSignedOut(err)) await endedWithCart()
      // Otherwise (no network, an outage): still unknown, asked again later.
      return
    }
    becomeSignedIn(account.customer)
    writeSignedIn(true)
    try {
      await cart.followAccount(account.cart_token, api.attachCart)
    } catch (err) {
      if (isSignedOut(err)) ended()
      // Otherwise the carts stay as they are until the next start.
    }
  }

  /** Sign-in and the email link both merge this browser's cart into the account's and sign in here. */
  async function signedInWith(answer: SignedIn): Promise<void> {
    becomeSignedIn(answer.customer)
    // The cart token is switched before the other tabs hear of the sign-in, so they find it already in place.
    await cart.adopt(answer.cart)
    writeSignedIn(true)
  }

  /** Throws the ApiError for the page to explain (401 invalid_credentials, 403 email_not_verified, 429...). */
  async function signIn(email: string, password: string): Promise<void> {
    await signedInWith(await api.signIn(email, password, cart.token))
  }

  async function verify(token: string): Promise<void> {
    await signedInWith(await api.verify(token, cart.token))
  }

  /** Nothing changes here until the email's link is opened. */
  async function signUp(body: SignUpRequest): Promise<void> {
    await api.signUp(body)
  }

  /** Throws when the server could not be told (the session would live on): the page says so. */
  async function signOut(): Promise<void> {
    try {
      await api.signOut()
    } catch (err) {
      if (!isSignedOut(err)) throw err
    }
    await endedWithCart()
    flash.value = 'You’re signed out.'
  }

  /** 401 invalid_credentials: the current password is wrong; 401 signed_out: the session ended meanwhile. */
  async function changePassword(currentPassword: string, newPassword: string): Promise<void> {
    try {
      await api.changePassword(currentPassword, newPassword)
    } catch (err) {
      if (isSignedOut(err)) await endedWithCart()
      throw err
    }
  }

  /**
   * A reset ends every session of the account: when this browser was signed in, it asks whether its own session
   * was one of them (it may belong to another account).
   */
  async function resetPassword(token: string, password: string): Promise<void> {
    await api.confirmPasswordReset(token, password)
    if (customer.value || readSignedIn()) await load({ fresh: true })
    flash.value = 'Your password is changed. Sign in with the new one.'
  }

  /**
   * The account is gone and so is its session: this browser signs out as sign-out does, the account's cart with
   * it. Throws the ApiError for the page to explain (400 `password` when it is wrong).
   */
  async function deleteAccount(password: string): Promise<void> {
    try {
      await api.deleteAccount(password)
    } catch (err) {
      if (isSignedOut(err)) await endedWithCart()
      throw err
    }
    await endedWithCart()
    flash.value = 'Your account is deleted. Thank you for shopping with us.'
  }

  let askingWishlist: Promise<void> | null = null

  /** Asks for the wishlist once per visit, signed in only; a failure leaves it unknown for the next page to ask. */
  function loadWishlist(): Promise<void> {
    if (!customer.value || wishlist.value) return Promise.resolve()
    askingWishlist ??= api
      .getWishlist()
      .then(rememberWishlist, async (err: unknown) => {
        if (isSignedOut(err)) await endedWithCart()
      })
      .finally(() => {
        askingWishlist = null
      })
    return askingWishlist
  }

  /** The wishlist as the account page just read it. */
  function rememberWishlist(items: WishlistItem[]): void {
    wishlist.value = new Set(items.map((item) => item.sku))
  }

  /** Throws the ApiError for the page to explain (409 wishlist_full, 400 sku, 401 signed_out). */
  async function saveToWishlist(sku: string): Promise<void> {
    await wishlistChange(() => api.saveToWishlist(sku))
    if (wishlist.value) wishlist.value = new Set([...wishlist.value, sku])
  }

  async function removeFromWishlist(sku: string): Promise<void> {
    await wishlistChange(() => api.removeFromWishlist(sku))
    if (wishlist.value) wishlist.value = new Set([...wishlist.value].filter((saved) => saved !== sku))
  }

  async function wishlistChange(call: () => Promise<unknown>): Promise<void> {
    try {
      await call()
    } catch (err) {
      if (isSignedOut(err)) await endedWithCart()
      throw err
    }
  }

  function takeFlash(): string | null {
    const message = flash.value
    flash.value = null
    return message
  }

  /** Follows sign-ins and sign-outs of the other tabs, and asks again on focus while the session is unknown. */
  function startSync(target: Window = window): () => void {
    const onStorage = (event: StorageEvent) => {
      if (event.key !== SIGNED_IN_KEY) return
      if (event.newValue === null) ended()
      else void load({ fresh: true })
    }
    const onFocus = () => {
      if (!loaded.value) void load()
    }
    const onVisible = () => {
      if (target.document.visibilityState === 'visible') onFocus()
    }
    target.addEventListener('storage', onStorage)
    target.addEventListener('focus', onFocus)
    target.addEventListener('online', onFocus)
    target.document.addEventListener('visibilitychange', onVisible)
    return () => {
      target.removeEventListener('storage', onStorage)
      target.removeEventListener('focus', onFocus)
      target.removeEventListener('online', onFocus)
      target.document.removeEventListener('visibilitychange', onVisible)
    }
  }

  return {
    customer,
    loaded,
    signedIn,
    flash,
    wishlist,
    load,
    signIn,
    verify,
    signUp,
    signOut,
    changePassword,
    resetPassword,
    deleteAccount,
    sessionEnded: endedWithCart,
    loadWishlist,
    rememberWishlist,
    saveToWishlist,
    removeFromWishlist,
    takeFlash,
    startSync,
  }
})
