/**
 * Page-number pagination as GitHub does it: `per_page` (default 30, at most 100) and `page`
 * (from 1), and a `Link` header of absolute URLs with rel prev, next, last and first, in that
 * order, each URL keeping the request's other query parameters and putting `page` last.
 */

export const DEFAULT_PER_PAGE = 30;
export const MAX_PER_PAGE = 100;

export interface Page<T> {
  items: T[];
  /** The Link header value; absent when everything fits on one page. */
  link?: string;
}

function positiveInt(value: string | null, fallback: number): number {
  const n = value === null ? NaN : Number.parseInt(value, 10);
  return Number.isFinite(n) && n >= 1 ? n : fallback;
}

/**
 * One page of `all`. `linkBase` is the absolute URL the links point at, without a query (GitHub
 * links repository lists through `/repositories/{id}/…`).
 */
export function paginate<T>(all: readonly T[], query: URLSearchParams, linkBase: string): Page<T> {
  const perPage = Math.min(MAX_PER_PAGE, positiveInt(query.get("per_page"), DEFAULT_PER_PAGE));
  const page = positiveInt(query.get("page"), 1);
  const lastPage = Math.max(1, Math.ceil(all.length / perPage));
  const items = all.slice((page - 1) * perPage, page * perPage);

  const url = (n: number) => {
    const params = new URLSearchParams(query);
    params.delete("page");
    params.append("page", String(n));
    return `${linkBase}?${params.toString()}`;
  };
  const links: string[] = [];
  if (page > 1) links.push(`<${url(Math.min(page - 1, lastPage))}>; rel="prev"`);
  if (page < lastPage) links.push(`<${url(page + 1)}>; rel="next"`, `<${url(lastPage)}>; rel="last"`);
  if (page > 1) links.push(`<${url(1)}>; rel="first"`);
  return links.length ? { items, link: links.join(", ") } : { items };
}
