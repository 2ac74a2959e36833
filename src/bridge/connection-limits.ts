// How many WebSocket connections this instance holds: in all, per user and per
// client address. Pure accounting; server.ts refuses the upgrade when a limit is
// reached.
//
// Without these, one user (or one address, before it even has a token) could open
// any number of sockets, each with its own frame budget and its own 4 MB send
// buffer. Admission is decided at the upgrade, with an HTTP status, like every
// other refusal (401 token, 403 origin): a socket that was never accepted costs
// nothing, and a load balancer may retry a 503 on another instance.

export type LimitScope = 'instance' | 'address' | 'user';

export interface ConnectionLimitOptions {
  maxConnections: number;
  maxPerUser: number;
  maxPerAddress: number;
}

export interface LimitReached {
  scope: LimitScope;
  limit: number;
}

/** A connection slot; release it when the connection's TCP socket closes (more than once is harmless). */
export interface Lease {
  release(): void;
}

export class ConnectionLimits {
  private total = 0;
  private readonly byUser = new Map<string, number>();
  private readonly byAddress = new Map<string, number>();

  constructor(private readonly options: ConnectionLimitOptions) {}

  /**
   * Whether a connection from `address` could be taken, before its token is
   * checked (an address over its limit does not get to spend our CPU on JWTs).
   * Reserves nothing: `acquire` decides.
   */
  precheck(address: string): LimitReached | null {
    if (this.total >= this.options.maxConnections) return { scope: 'instance', limit: this.options.maxConnections };
    if ((this.byAddress.get(address) ?? 0) >= this.options.maxPerAddress) return { scope: 'address', limit: this.options.maxPerAddress };
    return null;
  }

  /** Takes a slot for the user and the address, or names the first limit reached (instance, address, user). */
  acquire(userId: string, address: string): { lease: Lease } | { reached: LimitReached } {
    const reached = this.precheck(address)
      ?? ((this.byUser.get(userId) ?? 0) >= this.options.maxPerUser ? { scope: 'user' as const, limit: this.options.maxPerUser } : null);
    if (reached) return { reached };
    this.total++;
    increment(this.byUser, userId);
    increment(this.byAddress, address);
    let released = false;
    return {
      lease: {
        release: () => {
          if (released) return;
          released = true;
          this.total--;
          decrement(this.byUser, userId);
          decrement(this.byAddress, address);
        },
      },
    };
  }

  /** Connections held now. */
  get size(): number {
    return this.total;
  }

  /** Connections held now by one user or one address. */
  countFor(scope: 'user' | 'address', key: string): number {
    return (scope === 'user' ? this.byUser : this.byAddress).get(key) ?? 0;
  }
}

function increment(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function decrement(map: Map<string, number>, key: string): void {
  const n = (map.get(key) ?? 0) - 1;
  if (n <= 0) map.delete(key);
  else map.set(key, n);
}
