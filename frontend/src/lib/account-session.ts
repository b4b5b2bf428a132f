// What an account page does when one of its own requests answers 401 signed_out: the session ended (elsewhere,
// or it expired), so the store forgets it here, with the account's cart (stores/account.ts `sessionEnded`), and
// the shopper is sent to sign in and brought back to the page they were on (`?next=`).
import { useRoute, useRouter } from 'vue-router'
import { useAccountStore } from '../stores/account'

/** Call in a component's setup; the function it gives is called where a request answered signed_out. */
export function useSignInAgain(): () => Promise<void> {
  const account = useAccountStore()
  const route = useRoute()
  const router = useRouter()
  return async () => {
    await account.sessionEnded()
    await router.replace({ path: '/account/sign-in', query: { next: route.fullPath } })
  }
}
