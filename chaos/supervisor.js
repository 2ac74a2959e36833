// x7 processes of a chaos run, kept alive the way systemd or Kubernetes would: a process
// that exits on its own is counted and started again. `kill9` is the injected fault: it
// kills without warning and starts the process again after `restartAfterMs`.
import { exited, sleep, startX7, stopChild } from '../bench/lib.js';

export class Supervised {
  /**
   * @param {string} name    e.g. "processor-a"
   * @param {string[]} args  x7 arguments, e.g. ['processor']
   * @param {Record<string,string>} env
   * @param {(line: string) => void} log
   */
  constructor(name, args, env, log) {
    Object.assign(this, { name, args, env, log });
    this.child = null;
    this.unexpectedExits = [];
    this.kills = 0;
    this.stopping = false;
  }

  start() {
    const child = startX7(this.args, this.env);
    this.child = child;
    child.once('exit', (code, signal) => {
      if (this.stopping || child.killedByUs) return;
      const tail = child.output().trim().split('\n').slice(-3).join(' | ');
      this.unexpectedExits.push({ at: Date.now(), code, signal, tail });
      this.log(`${this.name} exited on its own (${signal ?? code}); starting it again. Last lines: ${tail.slice(0, 400)}`);
      setTimeout(() => { if (!this.stopping) this.start(); }, 500);
    });
    return child;
  }

  get pid() { return this.child?.pid; }

  async kill9(restartAfterMs) {
    const child = this.child;
    if (!child || exited(child)) return false;
    child.killedByUs = true;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await gone;
    this.kills += 1;
    if (restartAfterMs !== null) {
      await sleep(restartAfterMs);
      if (!this.stopping) this.start();
    }
    return true;
  }

  /**
   * A rolling restart's step: SIGTERM, as an orchestrator sends it, then a new process.
   * Returns the exit code and how long the process took to leave (SIGKILL after 30 s).
   */
  async sigterm() {
    const child = this.child;
    if (!child || exited(child)) return null;
    child.killedByUs = true;
    const started = Date.now();
    const code = await stopChild(child, 30_000);
    const result = { code, signal: child.signalCode, seconds: (Date.now() - started) / 1000 };
    this.terminations = [...(this.terminations ?? []), result];
    if (!this.stopping) this.start();
    return result;
  }

  async stop() {
    this.stopping = true;
    if (this.child && !exited(this.child)) await stopChild(this.child);
  }

  /** The last output lines, for a report of what went wrong. */
  output() { return this.child?.output() ?? ''; }
}
