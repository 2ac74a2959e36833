// Scores of an intent classifier on labeled examples: accuracy, per-intent
// precision / recall / F1, macro-F1 and the confusion table. Pure, so the numbers
// `x7 nlu eval` prints can be recomputed by a test from the dataset alone.
//
// Macro-F1 averages F1 over every label that occurs as expected OR predicted (as
// scikit-learn does by default): a classifier that invents an intent no example
// has pays for it, instead of the label silently leaving the average.

export interface Prediction {
  expected: string;
  predicted: string;
}

export interface LabelScore {
  label: string;
  /** Examples whose expected label this is. */
  support: number;
  /** Examples predicted as this label. */
  predicted: number;
  truePositives: number;
  precision: number;
  recall: number;
  f1: number;
}

export interface IntentScores {
  n: number;
  correct: number;
  accuracy: number;
  macroF1: number;
  labels: LabelScore[];
  /** confusion[expected][predicted] = count; only non-zero cells. */
  confusion: Record<string, Record<string, number>>;
}

/** 0 when the denominator is 0: a label never predicted has no precision to speak of, and scores none. */
const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);

export function scoreIntents(predictions: readonly Prediction[]): IntentScores {
  const labels = [...new Set(predictions.flatMap((p) => [p.expected, p.predicted]))].sort();
  const confusion: Record<string, Record<string, number>> = {};
  let correct = 0;
  for (const { expected, predicted } of predictions) {
    const row = (confusion[expected] ??= {});
    row[predicted] = (row[predicted] ?? 0) + 1;
    if (expected === predicted) correct++;
  }
  const scores = labels.map((label): LabelScore => {
    const support = predictions.filter((p) => p.expected === label).length;
    const predicted = predictions.filter((p) => p.predicted === label).length;
    const truePositives = confusion[label]?.[label] ?? 0;
    const precision = ratio(truePositives, predicted);
    const recall = ratio(truePositives, support);
    return { label, support, predicted, truePositives, precision, recall, f1: ratio(2 * precision * recall, precision + recall) };
  });
  return {
    n: predictions.length,
    correct,
    accuracy: ratio(correct, predictions.length),
    macroF1: ratio(scores.reduce((sum, s) => sum + s.f1, 0), scores.length),
    labels: scores,
    confusion,
  };
}

/** The p-th percentile (0–100) by nearest rank: a value that was measured, never an interpolation. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}
