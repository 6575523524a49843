import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';

/**
 * Debian's chromium, driven by playwright-core: no browser download (none is reachable here); .ci/run installs the
 * package. Flags keep it quiet and offline: no sandbox (CI runs as root), no GPU, no QUIC, no background traffic.
 */
export const CHROMIUM_PATH = process.env.MREG_CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Screenshots for CI artifacts (gitignored). */
export const SCREENSHOTS = join(__dirname, '../e2e/screenshots');

export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `No browser at ${CHROMIUM_PATH}: apt-get install -y chromium (or set MREG_CHROMIUM_PATH)`,
    );
  }
  // playwright's launch gives every browser a fresh temporary user-data-dir, removed on close.
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ARGS });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}
