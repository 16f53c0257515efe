/** dialogs:* handlers: native dialogs in main (Electron), grants to the renderer; 'unsupported' elsewhere. */
import type { CoreContext, NativeDialogs } from '../context';
import { StudioFailure, defineHandlers } from '../router';

function need(ctx: CoreContext): NativeDialogs {
  if (!ctx.dialogs) {
    throw new StudioFailure('unsupported', 'native dialogs exist only in the desktop app; use a file input or a download');
  }
  return ctx.dialogs;
}

export function dialogHandlers(ctx: CoreContext) {
  return defineHandlers({
    'dialogs:openFiles': async (req) => {
      const paths = await need(ctx).openFiles({ title: req.title, multiple: req.multiple });
      return { grants: paths.map((p) => ctx.grants.issue(p, 'file')) };
    },
    'dialogs:openFolder': async (req) => {
      const dir = await need(ctx).openFolder({ title: req.title });
      return { grant: dir ? ctx.grants.issue(dir, 'folder') : null };
    },
    'dialogs:chooseExportDestination': async (req) => {
      const dir = await need(ctx).chooseExportDestination({ title: req.title });
      return { grant: dir ? ctx.grants.issue(dir, 'destination') : null };
    },
  });
}
