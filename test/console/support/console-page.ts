/** Driving the console in Chromium: launch (headless, Debian's chromium), log in, open a screen. */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** A skip reason, printed loudly, when Debian's chromium is not installed. */
export function chromiumMissing(): string | false {
  if (existsSync(CHROMIUM)) return false;
  const msg = `SKIPPED: ${CHROMIUM} is missing (apt-get install chromium); CI installs it`;
  process.stderr.write(`\n*** ${msg} ***\n`);
  return msg;
}

export async function launch(t: { after(fn: () => unknown): void }): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', '--autoplay-policy=no-user-gesture-required'],
  });
  t.after(() => browser.close());
  return browser;
}

/** A fresh context (own sessionStorage) logged in as `email`, on `screen`. */
export async function loggedIn(browser: Browser, base: string, email: string, password: string, screen = 'calls', viewport = { width: 1280, height: 800 }): Promise<Page> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  await page.goto(`${base}/#/${screen}`);
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
  await page.waitForSelector(`main[data-screen="${screen}"]`);
  return page;
}

export async function openScreen(page: Page, screen: string): Promise<void> {
  await page.click(`nav a[data-screen="${screen}"]`);
  await page.waitForSelector(`main[data-screen="${screen}"]`);
}
