/// <reference types="vitest/config" />
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

// Where `npm run dev` sends API calls; the same split as the reverse proxy (infra/nginx/shop-locations.conf).
const catalog = process.env.CATALOG_URL ?? 'http://127.0.0.1:8081'
const checkout = process.env.CHECKOUT_URL ?? 'http://127.0.0.1:8082'

export default defineConfig({
  plugins: [vue()],
  server: {
    host: '127.0.0.1',
    proxy: {
      // Checkout's paths first: the catch-all `/api` below would otherwise take them to the catalog.
      '/api/carts': checkout,
      '/api/orders': checkout,
      '/api/checkout': checkout,
      '/api': catalog,
    },
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
})
