/** What every scenario of `npm run bench` gets: the options of the run, and how to print. */
export interface BenchOptions {
  quick: boolean;
  rounds: number;
  messages: number;
  connections: number;
  users: number;
  warmup: number;
  /** Where `--cpu-prof` profiles of the servers go; unset: no profiling. */
  profileDir: string | undefined;
  maxSessions: number;
  backlog: number;
}

export interface Scenario {
  name: string;
  /** One line for the header: what is measured. */
  title: string;
  run(options: BenchOptions): Promise<void>;
}
