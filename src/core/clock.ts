// The one source of "now". Tests and the console move it; rules never call new Date().
export interface Clock {
  now(): Date;
}

export class SystemClock implements Clock {
  now(): Date {
    return new Date();
  }
}

/** A clock that runs with real time from an offset the console or a test can move. */
export class MovableClock implements Clock {
  private offsetMs = 0;
  constructor(start?: Date) {
    if (start) this.set(start);
  }
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  set(at: Date): void {
    this.offsetMs = at.getTime() - Date.now();
  }
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

/** A clock that stands still until moved: tests whose steps must not depend on how fast the machine is. */
export class StoppedClock extends MovableClock {
  private at: number;
  constructor(start = new Date()) {
    super();
    this.at = start.getTime();
  }
  override now(): Date {
    return new Date(this.at);
  }
  override set(at: Date): void {
    this.at = at.getTime();
  }
  override advance(ms: number): void {
    this.at += ms;
  }
}
