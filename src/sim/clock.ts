/** Simulated time: starts at a chosen epoch and runs `speed` times faster than the wall clock; can be jumped ahead. */
export class SimClock {
  private offset = 0;
  private readonly realStart: number;

  constructor(
    private readonly simStart: number,
    readonly speed: number,
    private readonly realNowMs: () => number = () => Date.now(),
  ) {
    this.realStart = realNowMs();
  }

  /** Epoch seconds (fractional) in simulated time. */
  now(): number {
    return this.simStart + ((this.realNowMs() - this.realStart) / 1000) * this.speed + this.offset;
  }

  /** Moves simulated time forward (tests use it instead of sleeping). */
  advance(seconds: number): void {
    if (seconds < 0) throw new Error('time only moves forward');
    this.offset += seconds;
  }

  /** Converts a simulated duration into wall-clock seconds (for Retry-After). */
  realSeconds(simSeconds: number): number {
    return simSeconds / this.speed;
  }
}
