/**
 * How many warm spares the runtime pool keeps. One spare covers a server whose new
 * connections come one at a time; with traffic spread over more pools than the runtime
 * cap, cold starts come several a second, and each one that finds no spare waits for a
 * full Node start (~130 ms, far more on a busy machine). The number kept is the cold
 * starts expected while one spare starts: the recent cold-start rate times the measured
 * start time of a spare, plus the minimum, within [min, max] (each spare is an idle
 * Node process, ~40 MB resident).
 */

export interface SpareSizingOptions {
  /** spares kept with no cold starts at all */
  min: number;
  /** spares kept at most, however high the rate */
  max: number;
  /** cold starts older than this no longer count towards the rate */
  windowMs: number;
  /** start time assumed before a spare's start was measured */
  initialStartupMs: number;
  now: () => number;
}

export const DEFAULT_SPARE_SIZING: Omit<SpareSizingOptions, 'now'> = {
  min: 1,
  max: 4,
  windowMs: 10_000,
  initialStartupMs: 300,
};

/** Weight of the newest start time in the running average: a few starts settle it, one outlier does not. */
const STARTUP_WEIGHT = 0.3;

export class SpareSizer {
  readonly #options: SpareSizingOptions;
  /** times of the cold starts in the window, oldest first */
  readonly #coldStarts: number[] = [];
  #startupMs: number;

  constructor(options: SpareSizingOptions) {
    this.#options = { ...options, min: Math.max(0, Math.floor(options.min)), max: Math.max(0, Math.floor(options.max)) };
    this.#startupMs = options.initialStartupMs;
  }

  recordColdStart(): void {
    this.#coldStarts.push(this.#options.now());
  }

  /** How long a spare took from its fork to ready. */
  recordStartup(ms: number): void {
    if (Number.isFinite(ms) && ms >= 0) this.#startupMs += STARTUP_WEIGHT * (ms - this.#startupMs);
  }

  get startupMs(): number {
    return this.#startupMs;
  }

  /** The spares to keep now. */
  target(): number {
    const { min, max, windowMs, now } = this.#options;
    const since = now() - windowMs;
    while (this.#coldStarts.length > 0 && (this.#coldStarts[0] ?? 0) <= since) this.#coldStarts.shift();
    const expectedDuringOneStart = (this.#coldStarts.length / windowMs) * this.#startupMs;
    return Math.min(Math.max(min, max), min + Math.ceil(expectedDuringOneStart));
  }
}
