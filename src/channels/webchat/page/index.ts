/**
 * The web chat page as responses: the HTML shell, its stylesheet and its script, each served
 * under a Content-Security-Policy that allows only the gateway's own origin. The page learns
 * its channel endpoint from `data-endpoint`, so it works at any mount prefix. The tab bar stays
 * hidden until an agent exposes a sub-agent; the script adds those tabs.
 */
import { WEBCHAT_SCRIPT } from "./script.ts";
import { WEBCHAT_STYLE } from "./style.ts";

const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const SECURITY_HEADERS = {
  "content-security-policy": CSP,
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-cache",
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The URL path of the channel's mount (`<prefix>/channels/<id>`) as seen from the request for
 * the page, which arrives either at `<prefix>/channels/<id>/page` or at `<prefix><pagePath>`.
 */
export function channelEndpoint(request: Request, channelId: string, pagePath: string): string {
  const pathname = new URL(request.url).pathname;
  const mount = `/channels/${encodeURIComponent(channelId)}`;
  const direct = /^(.*)\/channels\/[^/]+\/page\/?$/.exec(pathname);
  if (direct) return direct[1] + mount;
  let prefix = pathname.replace(/\/+$/, "");
  const page = pagePath.replace(/\/+$/, "");
  if (page && prefix.endsWith(page)) prefix = prefix.slice(0, -page.length);
  return prefix + mount;
}

export function pageResponse(options: { title: string; endpoint: string }): Response {
  const title = escapeHtml(options.title);
  const endpoint = escapeHtml(options.endpoint);
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${endpoint}/app.css">
<script src="${endpoint}/app.js" defer></script>
</head>
<body data-endpoint="${endpoint}">
<main class="chat">
<header><h1>${title}</h1></header>
<div class="tabs" role="tablist" aria-label="Conversations" data-testid="tabs" hidden>
<button type="button" class="tab" role="tab" id="tab-main" data-testid="tab-main" aria-controls="panel-main" aria-selected="true">Chat</button>
</div>
<div class="panel" role="tabpanel" id="panel-main" aria-labelledby="tab-main" data-tab="main">
<ol class="messages" data-testid="messages" aria-live="polite"></ol>
</div>
<form class="composer" data-testid="composer">
<textarea data-testid="input" rows="1" maxlength="20000" placeholder="Write a message…  (Shift+Enter for a new line)" aria-label="Message" autofocus></textarea>
<button type="submit" data-testid="send">Send</button>
</form>
</main>
</body>
</html>
`;
  return new Response(html, { headers: { "content-type": "text/html; charset=utf-8", ...SECURITY_HEADERS } });
}

export function scriptResponse(): Response {
  return new Response(WEBCHAT_SCRIPT, { headers: { "content-type": "text/javascript; charset=utf-8", ...SECURITY_HEADERS } });
}

export function styleResponse(): Response {
  return new Response(WEBCHAT_STYLE, { headers: { "content-type": "text/css; charset=utf-8", ...SECURITY_HEADERS } });
}
