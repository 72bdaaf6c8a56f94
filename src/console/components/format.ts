/** A timestamp as the reader's local date and time, or a dash. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

/** A duration in whole milliseconds (the debug answer has fractions). */
export function formatDuration(ms: number): string {
  return `${String(Math.round(ms))} ms`;
}
