// Writes arctic-xs-reference.json: ONNX Runtime's fp32 vectors of snowflake-arctic-embed-xs for the token ids in the input
// ([CLS] pooling + L2 normalisation, as the model card prescribes), one sequence per run (no padding).
// Usage (onnxruntime-node 1.30.0 installed beside it, e.g. in ~/.cache/memoryfabric/bench/onnxruntime-node):
//   node make_reference.js MODEL.onnx INPUT.json OUTPUT.json     INPUT: {"texts": [...], "ids": [[101, ..., 102], ...]}
'use strict';
const fs = require('fs');
const ort = require('onnxruntime-node');

async function main() {
  const [model, inputPath, outputPath] = process.argv.slice(2);
  const input = JSON.parse(fs.readFileSync(inputPath, 'utf8'));
  const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1, graphOptimizationLevel: 'all' });
  const vectors = [];
  for (const row of input.ids) {
    const n = row.length;
    const feeds = {
      input_ids: new ort.Tensor('int64', BigInt64Array.from(row.map(BigInt)), [1, n]),
      attention_mask: new ort.Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]),
      token_type_ids: new ort.Tensor('int64', new BigInt64Array(n), [1, n]),
    };
    const hidden = (await session.run(feeds))[session.outputNames[0]];
    const dim = hidden.dims[2];
    const cls = Array.from(hidden.data.slice(0, dim));
    const norm = Math.sqrt(cls.reduce((s, v) => s + v * v, 0)) || 1;
    vectors.push(cls.map((v) => Number((v / norm).toPrecision(7))));
  }
  const output = { model: 'snowflake-arctic-embed-xs', onnxruntime: require('onnxruntime-node/package.json').version, texts: input.texts, ids: input.ids, vectors };
  fs.writeFileSync(outputPath, JSON.stringify(output) + '\n');
}

main().catch((e) => { process.stderr.write(String(e && e.stack || e) + '\n'); process.exit(1); });
