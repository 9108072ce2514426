import assert from "node:assert/strict";
import { UsageError } from "./errors.ts";
import {
  checkOverrideStages,
  checkParamDefs,
  coveredByCode,
  paramBounds,
  parseOverride,
  resolveParams,
} from "./params.ts";
import { type AnyStage, defineStage, type ParamDef } from "./stage.ts";

const stage = defineStage({
  id: "ae-d1",
  description: "t",
  module: import.meta.url,
  params: {
    steps: { type: "integer", default: 10000, quick: 600, doc: "iterations", min: 1 },
    lr: { type: "number", default: 0.001, doc: "learning rate" },
    loss: { type: "string", default: "sum", choices: ["sum", "mean"], doc: "loss scale" },
    bias: { type: "boolean", default: true, doc: "biases" },
    lambdas: { type: "number[]", default: [0.1, 1], doc: "sweep" },
  },
  inputs: {},
  outputs: [],
  run: () => Promise.resolve(),
});

Deno.test("resolveParams() merges defaults, profile and overrides with types", () => {
  assert.equal(resolveParams(stage, "paper", []).steps, 10000);
  assert.equal(resolveParams(stage, "quick", []).steps, 600);
  const p = resolveParams(
    stage,
    "quick",
    [
      "ae-d1.steps=20",
      "ae-d1.lr=1e-2",
      "ae-d1.bias=false",
      "ae-d1.lambdas=1,2.5",
      "ae-d1.loss=mean",
    ].map(parseOverride),
  );
  assert.deepEqual(p, { steps: 20, lr: 0.01, loss: "mean", bias: false, lambdas: [1, 2.5] });
});

Deno.test("resolveParams() rejects bad values and unknown names with suggestions", () => {
  const bad = (s: string, re: RegExp) =>
    assert.throws(
      () => resolveParams(stage, "paper", [parseOverride(s)]),
      (e: Error) => e instanceof UsageError && re.test(e.message),
    );
  bad("ae-d1.step=3", /no parameter "step" \(did you mean "steps"\?\)/);
  bad("ae-d1.steps=2.5", /integer is required/);
  bad("ae-d1.steps=0", /at least 1/);
  bad("ae-d1.lr=fast", /not a finite number/);
  bad("ae-d1.loss=median", /expected one of sum, mean/);
  bad("ae-d1.bias=yes", /true or false/);
  assert.throws(() => parseOverride("ae-d1steps=3"), UsageError);
  assert.throws(() => parseOverride("../x.y=3"), UsageError);
  assert.throws(
    () => checkOverrideStages([parseOverride("ae-d2.steps=3")], ["ae-d1"]),
    /did you mean "ae-d1"/,
  );
});

Deno.test("parseValue() takes decimals only, and bounds what declares no bounds", () => {
  const p = (s: string) => resolveParams(stage, "paper", [parseOverride(s)]);
  assert.equal(p("ae-d1.steps=1e3").steps, 1000);
  assert.equal(p("ae-d1.steps= 5").steps, 5, "blanks around a number are not another number");
  assert.equal(p("ae-d1.lr=-0").lr, 0);
  for (const raw of ["0x10", "0b1", "0o7", "Infinity", "NaN", "", " ", "1e400", "1_000", "5 s"]) {
    assert.throws(() => p(`ae-d1.steps=${raw}`), /is not a finite number/, raw);
  }
  // steps declares min 1 and no max: at most 1,000 × its default.
  assert.equal(paramBounds(stage.params.steps).max, 10_000_000);
  assert.throws(() => p("ae-d1.steps=10000001"), /at most 10000000 \(1000 times/);
  // lr declares nothing: never negative (its values are not), at most 1,000.
  assert.throws(() => p("ae-d1.lr=-0.1"), /at least 0 \(its declared values are never negative\)/);
  assert.throws(() => p("ae-d1.lr=1001"), /at most 1000/);
  assert.throws(() => p("ae-d1.lambdas="), /give at least one value/);
  assert.throws(() => p("ae-d1.lambdas=1,,2"), /"" is not a finite number/);
  assert.throws(
    () => checkOverrideStages(["ae-d1.lr=1", "ae-d1.lr=2"].map(parseOverride), ["ae-d1"]),
    /Cannot set "ae-d1\.lr" twice/,
  );
});

Deno.test("the code profile takes each parameter's code value, else the paper's; overrides win", () => {
  const lr: ParamDef = {
    ...stage.params.lr,
    code: { value: 0.01, source: "keras.py: learning_rate = 0.01" },
  };
  const s = { ...stage, params: { ...stage.params, lr } } as AnyStage;
  assert.equal(resolveParams(s, "code", []).lr, 0.01);
  assert.equal(
    resolveParams(s, "code", []).steps,
    10000,
    "no code value: the paper's, not quick's",
  );
  assert.equal(resolveParams(s, "paper", []).lr, 0.001);
  assert.equal(resolveParams(s, "code", [parseOverride("ae-d1.lr=0.5")]).lr, 0.5);
  assert.equal(coveredByCode(s), true);
  assert.equal(coveredByCode(stage), false);
  // A code value is checked like the others, and must say where the code sets it.
  assert.throws(
    () => checkParamDefs("x", { lr: { ...stage.params.lr, code: { value: "fast", source: "a" } } }),
    /Stage "x" declares parameter "lr" of type number with code "fast"/,
  );
  assert.throws(
    () => checkParamDefs("x", { lr: { ...stage.params.lr, code: { value: 0.01, source: " " } } }),
    /Stage "x" declares a code value of parameter "lr" without its source/,
  );
  // Its value counts among the declared ones that bound an override.
  assert.equal(
    paramBounds({ type: "number", default: 1, code: { value: 50, source: "s" }, doc: "" }).max,
    50_000,
  );
});
