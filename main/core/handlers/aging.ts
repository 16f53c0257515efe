/**
 * aging:* handlers. aging:preview and aging:strip arrive with the aging pipeline; they register
 * their request ids with ctx.cancellations (supersede key `preview:<photoId>`), so cancelling is
 * generic and lives here already.
 */
import type { CoreContext } from '../context';
import { defineHandlers } from '../router';

export function agingHandlers(ctx: CoreContext) {
  return defineHandlers({
    'aging:cancel': ({ requestId }) => ({ cancelled: ctx.cancellations.cancel(requestId) }),
  });
}
