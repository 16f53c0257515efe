/** The studio theme assembled from its parts: palette, type scale and per-family customizations. */
import { createTheme, type Theme } from '@mui/material/styles';
import { dataDisplay } from './customizations/data-display';
import { feedback } from './customizations/feedback';
import { inputs } from './customizations/inputs';
import { surfaces } from './customizations/surfaces';
import { paletteFor, type Mode } from './palette';
import { typography } from './typography';

export function createStudioTheme(mode: Mode): Theme {
  return createTheme({
    palette: paletteFor(mode),
    typography,
    shape: { borderRadius: 10 },
    spacing: 8,
    components: { ...inputs, ...surfaces, ...feedback, ...dataDisplay },
  });
}
