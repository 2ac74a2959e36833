// Queries as named prepared statements: PostgreSQL parses and plans each one once
// per connection instead of once per message, which is most of its CPU for the
// catalogue, analytics and state queries (`npm run bench:stages`: 1.6 → 0.9 ms of
// PostgreSQL CPU per event). A transaction-mode pooler that cannot keep prepared
// statements (PgBouncer before 1.21) needs X7_PG_PREPARED_STATEMENTS=0.
import { createHash } from 'node:crypto';
import type { QueryConfig } from 'pg';

const names = new Map<string, string>();

/** The statement's name: the same SQL text always gets the same one. */
export function statementName(sql: string): string {
  let name = names.get(sql);
  if (!name) names.set(sql, (name = `x7_${createHash('sha1').update(sql).digest('hex').slice(0, 16)}`));
  return name;
}

/** A pg query config: named (prepared) when `prepared`, plain otherwise. */
export function statement(sql: string, values: readonly unknown[], prepared: boolean): QueryConfig {
  return prepared ? { name: statementName(sql), text: sql, values: values as unknown[] } : { text: sql, values: values as unknown[] };
}
