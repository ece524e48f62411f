// Reference timing for `memfab bench embed`: runs the same token ids through ONNX Runtime (onnxruntime-node)
// and prints JSON with sentences per second per case. Usage: node ort_embed.js INPUT.json
// INPUT: {"model": "/path/model_q4.onnx", "threads": 1, "batch": 32, "min_seconds": 3, "pooling": "mean" | "cls",
//         "cases": {"short": [[101, ..., 102], ...], ...}}
// Output (stdout): {"version": "...", "cases": {"short": {"sentences_per_second": x, "runs": n, "vectors": [[...], ...]}, ...}}
// ("vectors": the first batch's pooled unit vectors, for the accuracy comparison.)
// Timed: building the padded int64 tensors, session.run, and pooling (mean, or the [CLS] row) + L2 normalisation, per batch.
'use strict';
const fs = require('fs');
const ort = require('onnxruntime-node');

function tensors(batchIds) {
  const n = batchIds.length;
  const len = Math.max(...batchIds.map((ids) => ids.length));
  const ids = new BigInt64Array(n * len);
  const mask = new BigInt64Array(n * len);
  const types = new BigInt64Array(n * len);
  batchIds.forEach((row, i) => row.forEach((id, j) => { ids[i * len + j] = BigInt(id); mask[i * len + j] = 1n; }));
  return {
    feeds: {
      input_ids: new ort.Tensor('int64', ids, [n, len]),
      attention_mask: new ort.Tensor('int64', mask, [n, len]),
      token_type_ids: new ort.Tensor('int64', types, [n, len]),
    },
    mask, n, len,
  };
}

function pool(hidden, mask, n, len, dim, cls) {
  const out = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    let count = 0;
    for (let j = 0; j < (cls ? 1 : len); j++) {
      if (mask[i * len + j] === 0n) continue;
      count++;
      const base = (i * len + j) * dim;
      for (let d = 0; d < dim; d++) out[i * dim + d] += hidden[base + d];
    }
    let norm = 0;
    for (let d = 0; d < dim; d++) { out[i * dim + d] /= count; norm += out[i * dim + d] ** 2; }
    norm = Math.sqrt(norm) || 1;
    for (let d = 0; d < dim; d++) out[i * dim + d] /= norm;
  }
  return out;
}

async function runBatch(session, batchIds, cls) {
  const t = tensors(batchIds);
  const result = await session.run(t.feeds);
  const hidden = result[session.outputNames[0]];
  return { data: pool(hidden.data, t.mask, t.n, t.len, hidden.dims[2], cls), dim: hidden.dims[2] };
}

async function main() {
  const input = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const session = await ort.InferenceSession.create(input.model, {
    intraOpNumThreads: input.threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all',
  });
  const output = { version: require('onnxruntime-node/package.json').version, threads: input.threads, cases: {} };
  for (const [name, texts] of Object.entries(input.cases)) {
    const batches = [];
    for (let i = 0; i < texts.length; i += input.batch) batches.push(texts.slice(i, i + input.batch));
    const cls = input.pooling === 'cls';
    const first = await runBatch(session, batches[0], cls); // warm-up, and the vectors compared
    const vectors = [];
    for (let i = 0; i < batches[0].length; i++) vectors.push(Array.from(first.data.slice(i * first.dim, (i + 1) * first.dim)));
    let sentences = 0;
    let runs = 0;
    const start = process.hrtime.bigint();
    let elapsed = 0;
    while (elapsed < input.min_seconds || runs < 2) {
      for (const batch of batches) { await runBatch(session, batch, cls); sentences += batch.length; }
      runs++;
      elapsed = Number(process.hrtime.bigint() - start) / 1e9;
    }
    output.cases[name] = { sentences_per_second: sentences / elapsed, runs, vectors };
  }
  process.stdout.write(JSON.stringify(output) + '\n');
}

main().catch((e) => { process.stderr.write(String(e && e.stack || e) + '\n'); process.exit(1); });
