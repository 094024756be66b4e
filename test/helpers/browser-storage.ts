/** Reading the web chat's localStorage from a Playwright page. */
import type { Page } from "playwright-core";

/** The value the page stored under a key ending in `:<name>` (keys are prefixed per channel). */
export async function stored(page: Page, name: string): Promise<string | null> {
  return page.evaluate((key) => {
    for (let i = 0; i < localStorage.length; i++) {
      const k = localStorage.key(i);
      if (k?.endsWith(`:${key}`)) return localStorage.getItem(k);
    }
    return null;
  }, name);
}
