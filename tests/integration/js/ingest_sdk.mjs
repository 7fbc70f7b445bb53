// Uploads 10,000 records to sealog with the real Azure SDK client
// (@azure/monitor-ingestion): HTTPS, its default gzip and concurrency.
// Environment: SEALOG_URL, SEALOG_DCR, SEALOG_STREAM, SEALOG_TOKEN, and
// NODE_EXTRA_CA_CERTS pointing at the node's certificate.
import { LogsIngestionClient } from "@azure/monitor-ingestion";

const { SEALOG_URL, SEALOG_DCR, SEALOG_STREAM, SEALOG_TOKEN } = process.env;
const scopes = [];
// Any object with getToken() is a TokenCredential for the SDK.
const credential = {
  async getToken(scope) {
    scopes.push(...[].concat(scope));
    return { token: SEALOG_TOKEN, expiresOnTimestamp: Date.now() + 3600 * 1000 };
  },
};
const client = new LogsIngestionClient(SEALOG_URL, credential);
const now = Date.now();
const logs = [];
for (let i = 0; i < 10000; i++) {
  logs.push({
    TimeGenerated: new Date(now - (10000 - i) * 10).toISOString(),
    Computer: `host-${i % 10}`,
    Seq: i,
    Msg: `record ${i} ` + "lorem ipsum dolor sit amet ".repeat(10),
  });
}
let failed = 0;
await client.upload(SEALOG_DCR, SEALOG_STREAM, logs, {
  onError: (e) => {
    failed += e.failedLogs.length;
    console.error("chunk failed:", e.cause?.message ?? e.cause);
  },
});
if (failed) {
  console.error(`failed records: ${failed}`);
  process.exit(1);
}
console.log(`scope ${scopes[0]}`);
console.log("uploaded 10000 records");
