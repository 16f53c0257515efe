/**
 * Engine-side entry to `face-age eval` (models/eval/eval-command.ts). The CLI is its own process
 * and runs evaluation in-process as its own engine, so it reaches models/ through ops/ like the
 * engine worker does.
 */
export { EVAL_ARG_OPTIONS, runEvalCommand } from '../../../models/eval/eval-command';
