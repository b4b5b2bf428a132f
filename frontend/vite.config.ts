/// <reference types="vitest/config" />
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import { localUrl } from './scripts/ports.mjs'

export default defineConfig(({ command }) => ({
  plugins: [vue()],
  server: {
    host: '127.0.0.1',
    // Only `npm run dev` (and Vitest) serve: a production build needs no API address, and the proxy image
    // builds without infra/ports.txt.
    proxy: command === 'serve' ? apiProxy() : undefined,
  },
  build: {
    target: 'es2022',
    // Each lazy route is its own chunk; report sizes as the shopper downloads them.
    reportCompressedSize: true,
    chunkSizeWarningLimit: 200,
  },
  test: {
    environment: 'happy-dom',
    include: ['tests/**/*.test.ts'],
    restoreMocks: true,
  },
}))

// Where `npm run dev` sends API calls: the same split as the reverse proxy (infra/nginx/shop-locations.conf),
// to the services' ports in infra/ports.txt unless CATALOG_URL / CHECKOUT_URL say otherwise.
function apiProxy() {
  const catalog = process.env.CATALOG_URL ?? localUrl('catalog')
  const checkout = process.env.CHECKOUT_URL ?? localUrl('checkout')
  const accounts = process.env.ACCOUNTS_URL ?? localUrl('accounts')
  return {
    // Checkout's paths first: the catch-all `/api` below would otherwise take them to the catalog.
    '/api/carts': checkout,
    '/api/orders': checkout,
    '/api/checkout': checkout,
    '/api/account': accounts,
    '/api': catalog,
  }
}
