import { defineConfig } from "@playwright/test";

// Run through `npm run test:browser` (scripts/app-test.mjs), which starts the demo node and the
// built app and sets the URLs below. Debian's Chromium, never a downloaded browser.
export default defineConfig({
  testDir: "e2e",
  outputDir: "../target/app-artifacts/results",
  timeout: 120_000,
  expect: { timeout: 20_000 },
  fullyParallel: false,
  workers: 1,
  reporter: [["list"]],
  use: {
    baseURL: process.env.SENTINEL_APP_URL ?? "http://127.0.0.1:4173",
    viewport: { width: 1400, height: 900 },
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
    },
  },
});
