// A single-page app: the server only serves files and the JSON API.
export const ssr = false;
export const prerender = false;
export const trailingSlash = 'never';
