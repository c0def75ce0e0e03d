// Writes the Parquet test files with two writers independent of Aha Studio: DuckDB
// (@duckdb/node-api) and arrow-rs (parquet-wasm, from an apache-arrow table). Run by hand:
//   npm install @duckdb/node-api@1.5.6-r.1 parquet-wasm@0.8.0 apache-arrow@21.2.0
//   node tests/data/parquet/make_fixtures.cjs tests/data/parquet
// expected.json holds the rows every file stores; the reader's test compares with it.
// None of these packages is a dependency of the product.
const fs = require("fs");
const path = require("path");
const out = process.argv[2] || ".";

// A step of TRL's completions table: 3 prompts x 4 completions.
const prompts = ["12+30=", "Use 3 7 25 50 to make 125.", "小明有3个苹果，又买了4个。一共几个？"];
const rows = [];
for (let p = 0; p < 3; ++p)
  for (let g = 0; g < 4; ++g) {
    const right = (p + g) % 2 === 0;
    rows.push({
      step: 7,
      prompt: prompts[p],
      completion: (g === 1 ? "so 41 wait, 41 was wrong 42" : "answer " + (right ? 42 : 41)) + "</think><answer>" + (right ? 42 : 41) + "</answer>",
      accuracy: right ? 1.0 : 0.0,
      format: p === 2 && g === 3 ? null : 1.0,  // a reward function that returned None
      source: "gen-" + p,
      advantage: (right ? 1 : -1) * (0.5 + 0.125 * g),
    });
  }
fs.writeFileSync(path.join(out, "expected.json"), JSON.stringify(rows, null, 1) + "\n");

async function duckdb() {
  const { DuckDBInstance } = require("@duckdb/node-api");
  const db = await DuckDBInstance.create(":memory:");
  const c = await db.connect();
  await c.run("CREATE TABLE t(step BIGINT, prompt VARCHAR, completion VARCHAR, accuracy DOUBLE, format DOUBLE, source VARCHAR, advantage DOUBLE, images VARCHAR[])");
  for (const r of rows) {
    const q = (s) => "'" + s.replace(/'/g, "''") + "'";
    await c.run(`INSERT INTO t VALUES (${r.step}, ${q(r.prompt)}, ${q(r.completion)}, ${r.accuracy}, ${r.format === null ? "NULL" : r.format}, ${q(r.source)}, ${r.advantage}, ['a.png'])`);
  }
  for (const codec of ["snappy", "zstd", "gzip", "uncompressed"])
    await c.run(`COPY t TO '${path.join(out, "duckdb_" + codec + ".parquet")}' (FORMAT parquet, COMPRESSION ${codec})`);
  // Parquet format 2: DELTA and BYTE_STREAM_SPLIT encodings, which the reader refuses by name.
  await c.run(`COPY t TO '${path.join(out, "duckdb_v2.parquet")}' (FORMAT parquet, PARQUET_VERSION v2)`);
}

function arrowRs() {
  const arrow = require("apache-arrow");
  const pq = require("parquet-wasm/node");
  const table = arrow.tableFromArrays({
    step: BigInt64Array.from(rows.map((r) => BigInt(r.step))),
    prompt: arrow.vectorFromArray(rows.map((r) => r.prompt), new arrow.Utf8()),
    completion: arrow.vectorFromArray(rows.map((r) => r.completion), new arrow.Utf8()),
    accuracy: Float64Array.from(rows.map((r) => r.accuracy)),
    format: arrow.vectorFromArray(rows.map((r) => r.format), new arrow.Float64()),
    source: arrow.vectorFromArray(rows.map((r) => r.source), new arrow.Utf8()),
    advantage: Float64Array.from(rows.map((r) => r.advantage)),
  });
  const write = (name, build) => {
    const props = build(new pq.WriterPropertiesBuilder()).build();
    const wasmTable = pq.Table.fromIPCStream(arrow.tableToIPC(table, "stream"));  // consumed by the write
    fs.writeFileSync(path.join(out, name), pq.writeParquet(wasmTable, props));
  };
  write("arrowrs_v1_snappy.parquet", (b) => b.setCompression(pq.Compression.SNAPPY));
  write("arrowrs_v2_zstd.parquet", (b) => b.setCompression(pq.Compression.ZSTD).setWriterVersion(pq.WriterVersion.V2));
  write("arrowrs_plain_gzip.parquet", (b) => b.setCompression(pq.Compression.GZIP).setDictionaryEnabled(false));
  write("arrowrs_brotli.parquet", (b) => b.setCompression(pq.Compression.BROTLI));  // refused by name
}

duckdb().then(arrowRs).then(() => console.log("wrote", fs.readdirSync(out).join(" ")));
