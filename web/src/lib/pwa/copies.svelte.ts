/**
 * Which screens show a copy the service worker kept (the network was not there), and when
 * it was saved: the loader sets it, the page shows `<OfflineCopyNotice>` while it is set.
 * Module state, so a feed kept across navigations (feedFor) still says so on its page.
 */
import { offlineCopySavedAt } from './index';

export const offlineCopies = $state<{ feed: Date | null }>({ feed: null });

/** Note whether a first page came from the worker's cache (null: a fresh answer). */
export function noteCopy(screen: 'feed', response: Response | undefined | null): void {
	offlineCopies[screen] = offlineCopySavedAt(response);
}
