// Queries sealog with the real Azure SDK client (@azure/monitor-query-logs)
// over HTTPS and checks what an application sees: typed values (Date for
// datetime, parsed objects for dynamic, numbers, booleans), batches in
// request order, statistics, and errors as RestError.
// Environment: SEALOG_URL, SEALOG_WS, SEALOG_TOKEN, NODE_EXTRA_CA_CERTS.
import { LogsQueryClient, LogsQueryResultStatus } from "@azure/monitor-query-logs";

const { SEALOG_URL, SEALOG_WS, SEALOG_TOKEN } = process.env;
const scopes = [];
const credential = {
  async getToken(scope) {
    scopes.push(...[].concat(scope));
    return { token: SEALOG_TOKEN, expiresOnTimestamp: Date.now() + 3600 * 1000 };
  },
};
// The 1.0.0 client uses `endpoint` verbatim: it must include /v1.
const client = new LogsQueryClient(credential, { endpoint: `${SEALOG_URL}/v1` });
let failures = 0;
function check(cond, what) {
  if (!cond) {
    failures++;
    console.error(`FAIL: ${what}`);
  }
}

// 1. Typed rows.
const r = await client.queryWorkspace(
  SEALOG_WS,
  "Sdkq_CL | where Seq < 3 | project TimeGenerated, Seq, Name, Ok, Props, Ratio | sort by Seq asc",
  { duration: "P1D" },
  { includeQueryStatistics: true, serverTimeoutInSeconds: 60 },
);
check(r.status === LogsQueryResultStatus.Success, `status ${r.status}`);
const t = r.tables[0];
check(t.name === "PrimaryResult", `table name ${t.name}`);
check(t.columnDescriptors.map((c) => `${c.name}:${c.type}`).join(",") ===
  "TimeGenerated:datetime,Seq:long,Name:string,Ok:bool,Props:dynamic,Ratio:real",
  `columns ${JSON.stringify(t.columnDescriptors)}`);
check(t.rows.length === 3, `rows ${t.rows.length}`);
const [ts, seq, name, ok, props, ratio] = t.rows[1];
check(ts instanceof Date && !isNaN(ts), `datetime is a Date: ${ts}`);
check(seq === 1, `long is a number: ${seq}`);
check(name === "name-1", `string: ${name}`);
check(ok === false, `bool: ${ok}`);
check(typeof props === "object" && props.k === 1 && Array.isArray(props.list) &&
  props.list[1] === "b", `dynamic is parsed: ${JSON.stringify(props)}`);
check(ratio === 0.5, `real: ${ratio}`);
check(r.statistics && r.statistics.query && typeof r.statistics.query.executionTime === "number",
  `statistics: ${JSON.stringify(r.statistics)}`);

// 2. An aggregate and the count of everything in the last day.
const c = await client.queryWorkspace(SEALOG_WS, "Sdkq_CL | count", { duration: "P1D" });
check(c.tables[0].rows[0][0] === 100, `count ${JSON.stringify(c.tables[0].rows)}`);

// 3. A batch: answers come back in request order, a bad query fails alone.
const b = await client.queryBatch([
  { workspaceId: SEALOG_WS, query: "Sdkq_CL | where Seq == 7 | project Seq", timespan: { duration: "P1D" } },
  { workspaceId: SEALOG_WS, query: "Sdkq_CL | where", timespan: { duration: "P1D" } },
  { workspaceId: SEALOG_WS, query: "Sdkq_CL | where Seq == 9 | project Seq", timespan: { duration: "P1D" } },
]);
check(b.length === 3, `batch length ${b.length}`);
check(b[0].status === LogsQueryResultStatus.Success && b[0].tables[0].rows[0][0] === 7,
  `batch[0] ${JSON.stringify(b[0])}`);
// The SDK reports a failed batch item as a non-success carrying the API's error.
check(b[1].status !== LogsQueryResultStatus.Success &&
  (b[1].partialError ?? b[1].error ?? {}).code === "BadArgumentError",
  `batch[1] ${JSON.stringify(b[1])}`);
check(b[2].status === LogsQueryResultStatus.Success && b[2].tables[0].rows[0][0] === 9,
  `batch[2] ${JSON.stringify(b[2])}`);

// 4. A syntax error is a RestError carrying the API's error code.
try {
  await client.queryWorkspace(SEALOG_WS, "Sdkq_CL | summarize count( by", { duration: "P1D" });
  check(false, "syntax error did not throw");
} catch (e) {
  check(e.statusCode === 400 && e.code === "BadArgumentError", `error ${e.statusCode} ${e.code}`);
}

check(scopes[0] === "https://api.loganalytics.io/.default", `scope ${scopes[0]}`);
if (failures) process.exit(1);
console.log("query sdk checks passed");
