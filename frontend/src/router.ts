// Routes. Every page is its own lazily loaded chunk: the entry holds only the shell (header, search box, cart
// badge), so the first paint does not wait for the checkout form or the listing's filters.
import { createRouter, createWebHistory, type RouterHistory } from 'vue-router'
import { prefetchPageData } from './lib/page-data'

export const routes = [
  { path: '/', name: 'home', component: () => import('./pages/HomePage.vue') },
  {
    path: '/products',
    name: 'products',
    component: () => import('./pages/ListingPage.vue'),
    props: { mode: 'listing' },
  },
  {
    path: '/category/:slug',
    name: 'category',
    component: () => import('./pages/ListingPage.vue'),
    props: { mode: 'listing' },
  },
  {
    path: '/search',
    name: 'search',
    component: () => import('./pages/ListingPage.vue'),
    props: { mode: 'search' },
  },
  { path: '/p/:slug', name: 'product', component: () => import('./pages/ProductPage.vue') },
  { path: '/cart', name: 'cart', component: () => import('./pages/CartPage.vue') },
  { path: '/checkout', name: 'checkout', component: () => import('./pages/CheckoutPage.vue') },
  // The confirmation link (order_url from place-order, also in the email): /orders/SH-XXXX?token=...
  { path: '/orders/:number', name: 'order', component: () => import('./pages/OrderPage.vue') },
  // The back-in-stock email's unsubscribe link.
  { path: '/stock-alerts/:token', name: 'stock-alert', component: () => import('./pages/StockAlertPage.vue') },
  // Shopper accounts; nothing else needs one (checkout stays open to guests). The emails' links carry their token
  // in the fragment: /account/verify#token=..., /account/reset#token=...
  // The account's sections share one page (AccountPage.vue, one chunk): each has its own address, so a reload or a
  // link keeps it. /account is the settings.
  { path: '/account', name: 'account', component: () => import('./pages/AccountPage.vue'), props: { section: 'settings' } },
  { path: '/account/orders', name: 'account-orders', component: () => import('./pages/AccountPage.vue'), props: { section: 'orders' } },
  { path: '/account/addresses', name: 'account-addresses', component: () => import('./pages/AccountPage.vue'), props: { section: 'addresses' } },
  { path: '/account/wishlist', name: 'account-wishlist', component: () => import('./pages/AccountPage.vue'), props: { section: 'wishlist' } },
  { path: '/account/privacy', name: 'account-privacy', component: () => import('./pages/AccountPage.vue'), props: { section: 'privacy' } },
  // One of the account's orders: the confirmation page, read through the session instead of a lookup token.
  { path: '/account/orders/:number', name: 'account-order', component: () => import('./pages/OrderPage.vue'), props: { mode: 'account' } },
  { path: '/account/sign-in', name: 'sign-in', component: () => import('./pages/SignInPage.vue') },
  { path: '/account/sign-up', name: 'sign-up', component: () => import('./pages/SignUpPage.vue') },
  { path: '/account/verify', name: 'verify-email', component: () => import('./pages/VerifyEmailPage.vue') },
  { path: '/account/forgot', name: 'forgot-password', component: () => import('./pages/ForgotPasswordPage.vue') },
  { path: '/account/reset', name: 'reset-password', component: () => import('./pages/ResetPasswordPage.vue') },
  { path: '/:pathMatch(.*)*', name: 'not-found', component: () => import('./pages/NotFoundPage.vue') },
]

export function makeRouter(history: RouterHistory = createWebHistory()) {
  const router = createRouter({
    history,
    routes,
    scrollBehavior(to, from, saved) {
      if (saved) return saved
      // Filter and sort changes stay where the shopper is; a new page starts at the top.
      if (to.path === from.path && to.query.page === from.query.page) return false
      return { top: 0 }
    },
  })
  // A page's first request starts with the navigation, beside the download of the page's code.
  router.beforeEach((to, from) => {
    prefetchPageData(to, from)
  })
  return router
}
