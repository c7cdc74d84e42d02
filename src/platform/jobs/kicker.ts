// "A job was queued": lets code that enqueues wake this process's worker at once instead of at its next poll.
export class JobKicker {
  private readonly listeners = new Set<() => void>();

  kick(): void {
    for (const l of this.listeners) l();
  }

  onKick(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
