/** How ages, durations and counts read in the UI. */

/** 34.46 -> "34", 0.4 -> "<1", null -> "unknown". */
export function formatAge(age: number | null | undefined): string {
  if (age === null || age === undefined || !Number.isFinite(age)) return 'unknown';
  if (age < 1) return '<1';
  return String(Math.round(age));
}

/** Target ages keep one decimal while dragging: 42 -> "42", 42.5 -> "42.5". */
export function formatTargetAge(age: number): string {
  const r = Math.round(age * 10) / 10;
  return Number.isInteger(r) ? String(r) : r.toFixed(1);
}

export function formatAgeLabel(age: number | null | undefined): string {
  const a = formatAge(age);
  return a === 'unknown' ? 'age unknown' : `~${a} yrs`;
}

/** 3725 -> "1 h 2 min", 95 -> "1 min 35 s", null -> "--". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '--';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}
