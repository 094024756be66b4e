/** Playwright helpers shared by the web chat tests. */
import type { Page } from "playwright-core";

/** Collect what a user would notice as broken: page errors, console errors and failed requests. */
export function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console error: ${message.text()}`);
  });
  page.on("response", (response) => {
    if (response.status() >= 400) problems.push(`${response.status()} for ${response.url()}`);
  });
  return problems;
}

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
