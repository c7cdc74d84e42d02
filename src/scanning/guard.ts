// The one door every scan packet goes through. It knows the addresses this scan resolved and the scope
// allowed, refuses anything else (an assertion: callers check first, so a refusal here is a bug caught
// before a packet leaves), and paces new connections to the office's rate limit.
import net from 'node:net';
import { normaliseAddress } from './scope.js';

export class ScopeViolation extends Error {
  constructor(readonly address: string) {
    super(`refused to contact ${address}: it is not in the authorised scope`);
    this.name = 'ScopeViolation';
  }
}

export class Guard {
  private readonly allowed = new Set<string>();
  private tokens: number;
  private last = Date.now();
  private waiting: Array<() => void> = [];
  private timer: NodeJS.Timeout | null = null;
  /** Connections opened, for the report's methodology. */
  connections = 0;

  /** @param ratePerSecond new connections per second for the whole scan (0: unlimited). */
  constructor(private readonly ratePerSecond = 0) {
    this.tokens = ratePerSecond;
  }

  private key(address: string): string {
    const a = normaliseAddress(address);
    if (!a) throw new ScopeViolation(address);
    return a.toNormalizedString();
  }

  /** Marks an address as checked against the scope for this scan. */
  allow(address: string): void {
    this.allowed.add(this.key(address));
  }

  isAllowed(address: string): boolean {
    const a = normaliseAddress(address);
    return Boolean(a && this.allowed.has(a.toNormalizedString()));
  }

  /** Waits for the rate limit, then lets one connection to an allowed address go. */
  async permit(address: string): Promise<void> {
    if (!this.isAllowed(address)) throw new ScopeViolation(address);
    if (!this.ratePerSecond) return;
    this.refill();
    if (this.tokens >= 1 && !this.waiting.length) {
      this.tokens -= 1;
      return;
    }
    await new Promise<void>((resolve) => {
      this.waiting.push(resolve);
      this.schedule();
    });
  }

  private refill(): void {
    const now = Date.now();
    this.tokens = Math.min(this.ratePerSecond, this.tokens + ((now - this.last) / 1000) * this.ratePerSecond);
    this.last = now;
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.refill();
      while (this.waiting.length && this.tokens >= 1) {
        this.tokens -= 1;
        this.waiting.shift()!();
      }
      if (this.waiting.length) this.schedule();
    }, Math.max(1, Math.ceil(1000 / this.ratePerSecond)));
  }

  /** A TCP connection to an allowed address (throws for any other). */
  connect(address: string, port: number): net.Socket {
    if (!this.isAllowed(address)) throw new ScopeViolation(address);
    this.connections += 1;
    const socket = net.connect({ host: address, port, noDelay: true });
    return socket;
  }
}
