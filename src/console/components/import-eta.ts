/**
 * How long a running import has left, from its own pace so far: the rate since it started
 * applied to what is left of its total. Unknown (null) until it knows its total and has
 * read someone.
 */
export function estimateRemaining(job: { total?: number; processed: number; startedAt: string }, now: number): number | null {
  const elapsed = now - new Date(job.startedAt).getTime();
  if (job.total === undefined || job.processed <= 0 || !(elapsed > 0)) return null;
  const left = Math.max(0, job.total - job.processed);
  return (left * elapsed) / job.processed;
}

/** An ETA as people say it: seconds under two minutes, then minutes, then hours. */
export function formatEta(ms: number): string {
  const seconds = Math.ceil(ms / 1000);
  if (seconds < 120) return `about ${String(seconds)} s left`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 120) return `about ${String(minutes)} min left`;
  return `about ${String(Math.round(minutes / 60))} h left`;
}
