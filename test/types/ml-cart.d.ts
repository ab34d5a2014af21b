/** ml-cart 2.1.1 ships no types; the part test/core/decision-tree.test.ts compares against. */
declare module 'ml-cart' {
  export class DecisionTreeClassifier {
    constructor(options: { gainFunction: 'gini'; splitFunction: 'mean'; minNumSamples: number; gainThreshold: number; maxDepth: number });
    train(x: number[][], y: number[]): void;
    predict(x: number[][]): number[];
  }
}
