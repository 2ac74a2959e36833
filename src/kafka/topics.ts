// topics.yaml and the cluster, in three modules: names (topic-names.ts), the spec
// file (topic-specs.ts) and making the cluster match it (topics-apply.ts).
export * from './topic-names.js';
export * from './topic-specs.js';
export * from './topics-apply.js';
