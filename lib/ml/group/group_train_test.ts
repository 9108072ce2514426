import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../backend.ts";
import { TINY, tinyDisks } from "../test_fixtures.ts";
import { train, type TrainData, type TrainSettings } from "../train.ts";
import { groupRefusal, trainGroup } from "./group_train.ts";

await initBackend("cpu");

const DATA: TrainData = tinyDisks(5);

function member(seed: number, overrides: Partial<TrainSettings> = {}): TrainSettings {
  // 7 updates of 8 out of 40 examples: the second epoch starts at update 6.
  return {
    config: TINY,
    seed,
    iterations: 7,
    batchSize: 8,
    loss: "sum",
    logEvery: 3,
    ...overrides,
  };
}

function bytesOf(w: Record<string, Float32Array>): Record<string, number[]> {
  return Object.fromEntries(
    Object.keys(w).sort().map((k) => [k, Array.from(new Uint8Array(w[k].buffer.slice(0)))]),
  );
}

async function alone(s: TrainSettings) {
  const r = await train(DATA, s);
  try {
    return { weights: await r.model.readWeights(), lossCurve: r.lossCurve, kept: r.kept };
  } finally {
    r.model.dispose();
  }
}

Deno.test("trainGroup gives each model the bytes and loss curve it gets alone, regularisers mixed", async () => {
  const members = [
    member(7),
    member(8, { regularisers: { encoderWeightDecay: { lambda: 0.5 } } }),
    member(9, { regularisers: { weightDecay: { lambda: 0.25 } } }),
    member(7, { regularisers: { encoderWeightDecay: { lambda: 10 } } }),
    member(10, { regularisers: { latentDistance: { lambda: 0.01, neighbours: 3 } } }),
    member(11, { regularisers: { denoising: { lambda: 0.5, sigma: 0.05 } } }),
    member(13, { iterations: 3, regularisers: { encoderWeightDecay: { lambda: 2 } } }),
    member(12, {
      regularisers: {
        latentDistance: { lambda: 0.02, neighbours: 2 },
        encoderWeightDecay: { lambda: 1 },
        denoising: { lambda: 2, sigma: 0.1 },
      },
    }),
  ];
  const before = tf.memory().numTensors;
  const group = await trainGroup(DATA, members);
  assert.equal(tf.memory().numTensors, before, "trainGroup leaves no tensor behind");
  assert.equal(group.members.length, members.length);
  for (const [k, s] of members.entries()) {
    const solo = await alone(s);
    assert.deepEqual(group.members[k].lossCurve, solo.lossCurve, `member ${k}: loss curve`);
    assert.deepEqual(bytesOf(group.members[k].weights), bytesOf(solo.weights), `member ${k}`);
  }
  // Not vacuous: the members really differ from one another.
  assert.notDeepEqual(bytesOf(group.members[0].weights), bytesOf(group.members[3].weights));
});

Deno.test("trainGroup matches training alone with the mean loss and a fresh subset per update", async () => {
  const members = [
    member(3, { loss: "mean", batchDraw: "subset", iterations: 4, logEvery: 1 }),
    member(4, { loss: "mean", batchDraw: "subset", iterations: 4, logEvery: 1 }),
  ];
  const group = await trainGroup(DATA, members);
  for (const [k, s] of members.entries()) {
    const solo = await alone(s);
    assert.deepEqual(group.members[k].lossCurve, solo.lossCurve);
    assert.deepEqual(bytesOf(group.members[k].weights), bytesOf(solo.weights));
  }
});

Deno.test("trainGroup keeps each member's best weights as training alone does (the code profile's keepBest)", async () => {
  const code = (seed: number, l: number) =>
    member(seed, {
      loss: "mean",
      batchDraw: "subset",
      keepBest: 2,
      iterations: 9,
      logEvery: 4,
      adam: { learningRate: 0.05, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
      ...(l > 0 ? { regularisers: { encoderWeightDecay: { lambda: l } } } : {}),
    });
  const members = [code(1, 0), code(2, 0.01), { ...code(3, 1), iterations: 6 }];
  const group = await trainGroup(DATA, members);
  for (const [k, s] of members.entries()) {
    const solo = await alone(s);
    assert.ok(solo.kept !== null);
    assert.deepEqual(group.members[k].kept, solo.kept, `member ${k}: kept update`);
    assert.deepEqual(group.members[k].lossCurve, solo.lossCurve, `member ${k}: loss curve`);
    assert.deepEqual(bytesOf(group.members[k].weights), bytesOf(solo.weights), `member ${k}`);
  }
  // Not vacuous: some member keeps weights from before its last update.
  assert.ok(
    group.members.some((m) => m.kept!.step < 9),
    JSON.stringify(group.members.map((m) => m.kept)),
  );
});

Deno.test("a group refuses members it cannot step together, naming the member and the reason", async () => {
  assert.match(
    groupRefusal([member(1), member(2, { batchSize: 4 })])!,
    /member 1 differs from member 0/,
  );
  assert.match(
    groupRefusal([member(1, { regularisers: { contractive: { lambda: 1 } } })])!,
    /member 0 uses the contractive term, which trains alone/,
  );
  assert.match(
    groupRefusal([member(1, { keepBest: 2 }), member(2)])!,
    /member 1 differs from member 0/,
  );
  assert.equal(groupRefusal([member(1), member(2)]), null);
  await assert.rejects(
    trainGroup(DATA, [member(1, { mode: "encoder" })]),
    /Cannot train these models together: member 0 is not a full autoencoder; train them alone/,
  );
});

/** Settings with checkpoints every 2 updates in a fresh directory. */
function checkpointed(s: TrainSettings): TrainSettings {
  return { ...s, checkpointEvery: 2, checkpointDir: Deno.makeTempDirSync() };
}

Deno.test("a group's checkpoints are the single model's: stopped in a group, resumed alone or in a group, the same bytes", async () => {
  const plain = [
    member(7),
    member(8, { regularisers: { encoderWeightDecay: { lambda: 0.5 } } }),
    member(10, { regularisers: { latentDistance: { lambda: 0.01, neighbours: 3 } } }),
  ];
  const members = plain.map(checkpointed);
  const stop = new AbortController();
  await assert.rejects(
    trainGroup(DATA, members, { signal: stop.signal, onProgress: (t) => t === 5 && stop.abort() }),
  );
  const soloLog: string[] = [];
  const solo = await alone({ ...members[0], onLog: (m) => soloLog.push(m) });
  assert.match(soloLog.join("\n"), /resumed from checkpoint at step 4/);
  const groupLog: string[] = [];
  const rest = await trainGroup(DATA, members.slice(1), {
    onLog: (k, m) => groupLog.push(`${k}: ${m}`),
  });
  assert.match(groupLog.join("\n"), /0: resumed from checkpoint at step 4/);
  assert.match(groupLog.join("\n"), /1: resumed from checkpoint at step 4/);
  const results = [solo, ...rest.members];
  for (const [k, s] of plain.entries()) {
    const fresh = await alone(s);
    assert.deepEqual(results[k].lossCurve, fresh.lossCurve, `member ${k}: loss curve`);
    assert.deepEqual(bytesOf(results[k].weights), bytesOf(fresh.weights), `member ${k}`);
  }
  for (const s of members) Deno.removeSync(s.checkpointDir!, { recursive: true });
});

Deno.test("members resuming from different updates train one group per update, kept weights carried", async () => {
  const plain = [
    member(3, { keepBest: 3 }),
    member(4, { keepBest: 3 }),
    member(5, { keepBest: 3 }),
  ];
  const members = plain.map(checkpointed);
  // Member 0 stopped alone after update 3 (a checkpoint at 2), member 1 after update 5 (at 4).
  for (const [k, at] of [[0, 3], [1, 5]]) {
    const stop = new AbortController();
    await assert.rejects(
      alone({
        ...members[k],
        signal: stop.signal,
        onProgress: (t) => void (t === at && stop.abort()),
      }),
    );
  }
  const log: string[] = [];
  const group = await trainGroup(DATA, members, { onLog: (k, m) => log.push(`${k}: ${m}`) });
  const text = log.join("\n");
  assert.match(text, /0: resumed from checkpoint at step 2/);
  assert.match(text, /1: resumed from checkpoint at step 4/);
  assert.match(text, /2: started from scratch/);
  for (const [k, s] of plain.entries()) {
    const fresh = await alone(s);
    assert.deepEqual(group.members[k].kept, fresh.kept, `member ${k}: kept update`);
    assert.deepEqual(group.members[k].lossCurve, fresh.lossCurve, `member ${k}: loss curve`);
    assert.deepEqual(bytesOf(group.members[k].weights), bytesOf(fresh.weights), `member ${k}`);
  }
  for (const s of members) Deno.removeSync(s.checkpointDir!, { recursive: true });
});
