// The seeded generator shared with bench/ and chaos/ (mulberry32): a failure reproduces.
export { seededRandom } from '../../bench/random.js';
